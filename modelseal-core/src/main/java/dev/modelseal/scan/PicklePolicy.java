package dev.modelseal.scan;

import dev.modelseal.format.FormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Decides how bad a pickle import is. An <em>allowlist</em> of exact {@code (module, name)} pairs
 * that plain weight pickles need is clean; a known-dangerous callable (anything under a critical
 * module, or a critical builtin) is critical; everything else is high. Blocklists were bypassed
 * every time (SCANNING.md), so the allowlist decides what is clean and the critical list only
 * grades what is not.
 *
 * <p>Critical always wins: extending the allowlist with {@code os system} does not make it clean.
 */
public final class PicklePolicy {

  /** The verdict for one import. */
  public enum Verdict {
    ALLOWED,
    NOT_ALLOWLISTED,
    DANGEROUS
  }

  private static final List<String> TORCH_STORAGES =
      List.of(
          "FloatStorage",
          "DoubleStorage",
          "HalfStorage",
          "BFloat16Storage",
          "LongStorage",
          "IntStorage",
          "ShortStorage",
          "CharStorage",
          "ByteStorage",
          "BoolStorage",
          "ComplexFloatStorage",
          "ComplexDoubleStorage",
          "QUInt8Storage",
          "QInt8Storage",
          "QInt32Storage",
          "QUInt4x2Storage",
          "QUInt2x4Storage",
          "UntypedStorage");

  private static final List<String> TORCH_DTYPES =
      List.of(
          "float16",
          "float32",
          "float64",
          "bfloat16",
          "half",
          "float",
          "double",
          "int8",
          "int16",
          "int32",
          "int64",
          "uint8",
          "uint16",
          "uint32",
          "uint64",
          "bool",
          "complex64",
          "complex128",
          "float8_e4m3fn",
          "float8_e5m2");

  /** The globals a plain PyTorch / numpy weight pickle needs (SCANNING.md seed). */
  static final Set<PickleImport> SEED = seed();

  /** Modules whose every attribute (and every submodule) is critical. */
  private static final Set<String> CRITICAL_MODULES =
      Set.of(
          // SCANNING.md's list
          "os",
          "posix",
          "nt",
          "subprocess",
          "sys",
          "runpy",
          "pty",
          "socket",
          "shutil",
          "pickle",
          "_pickle",
          "marshal",
          "types",
          "ctypes",
          "importlib",
          "pip",
          "webbrowser",
          "requests",
          "urllib",
          "asyncio",
          // the same capabilities under other names: process spawning, code execution, file and
          // network access, attribute access in disguise, other deserialisers
          "_posixsubprocess",
          "_winapi",
          "commands",
          "popen2",
          "code",
          "codeop",
          "pdb",
          "bdb",
          "timeit",
          "multiprocessing",
          "io",
          "_io",
          "operator",
          "_operator",
          "cPickle",
          "dill",
          "cloudpickle",
          "http",
          "httplib",
          "urllib2",
          "urllib3",
          "ftplib",
          "smtplib",
          "telnetlib",
          "imp",
          "_imp",
          "zipimport",
          "pkgutil",
          "_thread",
          "torch.hub",
          "torch.utils.collect_env",
          "torch.jit",
          "torch._inductor",
          "numpy.testing",
          "numpy.f2py",
          "numpy.distutils");

  /** Single callables that are critical although their module is not. */
  private static final Set<PickleImport> CRITICAL_CALLABLES = critical();

  /**
   * Python 2 names that the unpickler maps to Python 3 ones for protocols below 3 (fix_imports):
   * {@code __builtin__.eval} loads {@code builtins.eval}.
   */
  private static final Map<String, String> PY2_MODULES =
      Map.ofEntries(
          Map.entry("__builtin__", "builtins"),
          Map.entry("exceptions", "builtins"),
          Map.entry("copy_reg", "copyreg"),
          Map.entry("cPickle", "pickle"),
          Map.entry("commands", "subprocess"),
          Map.entry("urllib2", "urllib.request"),
          Map.entry("urlparse", "urllib.parse"),
          Map.entry("httplib", "http.client"),
          Map.entry("cStringIO", "io"),
          Map.entry("StringIO", "io"),
          Map.entry("thread", "_thread"),
          Map.entry("Queue", "queue"),
          Map.entry("UserDict", "collections"),
          Map.entry("UserList", "collections"),
          Map.entry("SocketServer", "socketserver"),
          Map.entry("_winreg", "winreg"));

  private static final Map<PickleImport, PickleImport> PY2_NAMES =
      Map.of(
          new PickleImport("__builtin__", "xrange"), new PickleImport("builtins", "range"),
          new PickleImport("__builtin__", "reduce"), new PickleImport("functools", "reduce"),
          new PickleImport("__builtin__", "intern"), new PickleImport("sys", "intern"),
          new PickleImport("__builtin__", "unicode"), new PickleImport("builtins", "str"),
          new PickleImport("__builtin__", "long"), new PickleImport("builtins", "int"),
          new PickleImport("__builtin__", "basestring"), new PickleImport("builtins", "str"),
          new PickleImport("itertools", "imap"), new PickleImport("builtins", "map"),
          new PickleImport("urllib", "urlopen"), new PickleImport("urllib.request", "urlopen"));

  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  private static final Pattern IDENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private static final PicklePolicy DEFAULTS = new PicklePolicy(SEED);

  private final Set<PickleImport> allowed;

  private PicklePolicy(Set<PickleImport> allowed) {
    this.allowed = Set.copyOf(allowed);
  }

  /** The built-in allowlist. */
  public static PicklePolicy defaults() {
    return DEFAULTS;
  }

  /** The allowlist, as exact pairs. */
  public Set<PickleImport> allowlist() {
    return allowed;
  }

  /** This policy with {@code more} pairs allowed. */
  public PicklePolicy withAllowed(Set<PickleImport> more) {
    Set<PickleImport> all = new HashSet<>(allowed);
    all.addAll(more);
    return new PicklePolicy(all);
  }

  /**
   * This policy extended by an allowlist file: one {@code module name} pair per line, {@code #}
   * starts a comment, blank lines ignored.
   *
   * @throws FormatException {@code allowlist.syntax} naming the line
   */
  public PicklePolicy withAllowlistFile(Path file) throws IOException, FormatException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    Set<PickleImport> more = new HashSet<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      int hash = line.indexOf('#');
      if (hash >= 0) {
        line = line.substring(0, hash);
      }
      line = line.strip();
      if (line.isEmpty()) {
        continue;
      }
      String[] parts = WHITESPACE.split(line, -1);
      if (parts.length != 2 || !dotted(parts[0]) || !dotted(parts[1])) {
        throw new FormatException(
            "allowlist.syntax",
            file,
            -1,
            "line " + (i + 1),
            "expected 'module name' (dotted Python identifiers), got '" + line + "'");
      }
      more.add(new PickleImport(parts[0], parts[1]));
    }
    return withAllowed(more);
  }

  private static boolean dotted(String s) {
    for (String part : s.split("\\.", -1)) {
      if (!IDENT.matcher(part).matches()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Classifies an import as the unpickler would resolve it.
   *
   * @param protocol the stream's protocol (below 3 the Python 2 names are mapped)
   */
  public Verdict classify(PickleImport imp, int protocol) {
    PickleImport mapped = py3Name(imp);
    if (dangerous(imp) || dangerous(mapped)) {
      return Verdict.DANGEROUS;
    }
    PickleImport effective = protocol < 3 ? mapped : imp;
    return allowed.contains(effective) ? Verdict.ALLOWED : Verdict.NOT_ALLOWLISTED;
  }

  /** True for imports that reach a known-dangerous callable or module. */
  static boolean dangerous(PickleImport imp) {
    String module = imp.module();
    String name = imp.name();
    if (name.contains(".")) {
      // Dotted names are walked attribute by attribute: judge the full path.
      String[] parts = name.split("\\.", -1);
      for (String p : parts) {
        if (p.startsWith("__") || CRITICAL_MODULES.contains(p) || criticalBuiltin(p)) {
          return true;
        }
      }
      int last = name.lastIndexOf('.');
      module = module + "." + name.substring(0, last);
      name = name.substring(last + 1);
    }
    for (String m = module; ; ) {
      if (CRITICAL_MODULES.contains(m)) {
        return true;
      }
      int dot = m.lastIndexOf('.');
      if (dot < 0) {
        break;
      }
      m = m.substring(0, dot);
    }
    if ((module.equals("builtins") || module.equals("__builtin__")) && criticalBuiltin(name)) {
      return true;
    }
    return CRITICAL_CALLABLES.contains(new PickleImport(module, name));
  }

  private static boolean criticalBuiltin(String name) {
    return switch (name) {
      case "eval",
          "exec",
          "execfile",
          "compile",
          "open",
          "file",
          "getattr",
          "setattr",
          "delattr",
          "__import__",
          "breakpoint",
          "globals",
          "locals",
          "vars",
          "input",
          "raw_input",
          "apply",
          "reload" ->
          true;
      default -> false;
    };
  }

  static PickleImport py3Name(PickleImport imp) {
    PickleImport n = PY2_NAMES.get(imp);
    if (n != null) {
      return n;
    }
    String m = PY2_MODULES.get(imp.module());
    return m == null ? imp : new PickleImport(m, imp.name());
  }

  /** True for loaders whose bytes argument is itself a pickle (scanned recursively). */
  static boolean nestedLoader(PickleImport imp) {
    PickleImport m = py3Name(imp);
    return (m.name().equals("loads") || m.name().equals("_loads"))
        && switch (m.module()) {
          case "pickle", "_pickle", "dill", "dill._dill", "cloudpickle", "numpy", "joblib" -> true;
          default -> false;
        };
  }

  private static Set<PickleImport> seed() {
    Set<PickleImport> s = new HashSet<>();
    s.add(new PickleImport("collections", "OrderedDict"));
    s.add(new PickleImport("torch._utils", "_rebuild_tensor"));
    s.add(new PickleImport("torch._utils", "_rebuild_tensor_v2"));
    s.add(new PickleImport("torch._utils", "_rebuild_parameter"));
    s.add(new PickleImport("torch", "Size"));
    s.add(new PickleImport("torch", "device"));
    for (String st : TORCH_STORAGES) {
      s.add(new PickleImport("torch", st));
    }
    for (String dt : TORCH_DTYPES) {
      s.add(new PickleImport("torch", dt));
    }
    for (String np : List.of("numpy.core.multiarray", "numpy._core.multiarray")) {
      s.add(new PickleImport(np, "_reconstruct"));
      s.add(new PickleImport(np, "scalar"));
    }
    // Protocol 5 pickles of arrays rebuild them from a buffer (frombuffer + reshape).
    s.add(new PickleImport("numpy._core.numeric", "_frombuffer"));
    s.add(new PickleImport("numpy.core.numeric", "_frombuffer"));
    s.add(new PickleImport("numpy", "ndarray"));
    s.add(new PickleImport("numpy", "dtype"));
    s.add(new PickleImport("_codecs", "encode"));
    for (String b : List.of("set", "frozenset", "bytearray", "slice", "complex")) {
      s.add(new PickleImport("builtins", b));
    }
    return Set.copyOf(s);
  }

  private static Set<PickleImport> critical() {
    return Set.of(
        new PickleImport("torch", "load"),
        new PickleImport("torch.serialization", "load"),
        new PickleImport("numpy", "load"),
        new PickleImport("numpy", "loads"),
        new PickleImport("numpy.lib.npyio", "load"),
        new PickleImport("joblib", "load"),
        new PickleImport("joblib", "loads"),
        new PickleImport("functools", "reduce"));
  }
}
