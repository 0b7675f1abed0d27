package dev.modelseal.lint;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelseal.scan.Finding;
import dev.modelseal.scan.Severity;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** The lint rules, decided on one file's AST facts (names already resolved through imports). */
final class LintRules {
  private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

  private static final Set<String> PICKLE =
      Set.of(
          "pickle.load",
          "pickle.loads",
          "pickle.Unpickler",
          "_pickle.load",
          "_pickle.loads",
          "_pickle.Unpickler",
          "cPickle.load",
          "cPickle.loads",
          "pandas.read_pickle");
  private static final Set<String> DILL =
      Set.of("dill.load", "dill.loads", "cloudpickle.load", "cloudpickle.loads");
  private static final Set<String> JOBLIB = Set.of("joblib.load", "sklearn.externals.joblib.load");
  private static final Set<String> YAML = Set.of("yaml.load", "yaml.load_all");
  private static final Set<String> YAML_UNSAFE = Set.of("yaml.unsafe_load", "yaml.unsafe_load_all");
  private static final Set<String> YAML_SAFE_LOADERS =
      Set.of("yaml.SafeLoader", "yaml.CSafeLoader", "yaml.BaseLoader", "yaml.CBaseLoader");
  private static final Set<String> HUB =
      Set.of(
          "huggingface_hub.hf_hub_download",
          "huggingface_hub.snapshot_download",
          "mlx_lm.load",
          "mlx_lm.utils.load",
          "mlx_vlm.load",
          "mlx_vlm.utils.load");
  private static final Set<String> MLX_LOAD = Set.of("mlx.core.load");
  private static final Set<String> OTHER_LOADS =
      Set.of(
          "safetensors.torch.load_file",
          "safetensors.numpy.load_file",
          "safetensors.safe_open",
          "safetensors.mlx.load_file",
          "torch.jit.load",
          "keras.models.load_model",
          "tensorflow.keras.models.load_model");
  private static final Set<String> NETWORK_ROOTS =
      Set.of("requests", "httpx", "urllib3", "aiohttp", "huggingface_hub", "urllib");
  private static final Set<String> NETWORK_METHODS =
      Set.of("get", "post", "put", "request", "stream", "head", "urlopen", "download");
  private static final Set<String> ROUTE_DECORATORS =
      Set.of("route", "get", "post", "put", "patch", "delete", "api_route", "websocket");
  private static final Set<String> REQUEST_GLOBALS =
      Set.of("flask.request", "quart.request", "bottle.request", "sanic.request");

  private static final String VERIFIED =
      "or load bytes ModelSeal verified (modelseal.verified_files, modelseal verify --copy-to DIR)";

  private final String file;
  private final List<Finding> out = new ArrayList<>();

  private LintRules(String file) {
    this.file = file;
  }

  static List<Finding> apply(String file, JsonNode facts) {
    LintRules r = new LintRules(file);
    r.run(facts);
    return List.copyOf(r.out);
  }

  private void run(JsonNode facts) {
    for (JsonNode call : facts.path("calls")) {
      call(call);
    }
    for (JsonNode c : facts.path("consts")) {
      String v = c.path("value").asText();
      int line = c.path("line").asInt();
      int col = c.path("col").asInt();
      if (v.equals("MLXLM_USE_MODELSCOPE")) {
        add(
            "lint.modelscope-source",
            Severity.MEDIUM,
            line,
            col,
            v,
            "switches mlx-lm's downloads from the Hugging Face hub to ModelScope, a second source"
                + " the app's pins and reviews do not cover",
            "remove MLXLM_USE_MODELSCOPE; fetch from one reviewed source with a pinned revision");
      } else if (v.startsWith("http://") && !local(v)) {
        add(
            "lint.http-url",
            Severity.MEDIUM,
            line,
            col,
            v,
            "a URL over plain http: anyone on the path can swap what it serves",
            "use https:// and check a pinned digest (modelseal fetch URL --lock FILE)");
      }
    }
    requestInput(facts);
  }

  private static boolean local(String url) {
    String rest = url.substring("http://".length()).toLowerCase(Locale.ROOT);
    return rest.startsWith("localhost")
        || rest.startsWith("127.")
        || rest.startsWith("[::1]")
        || rest.startsWith("0.0.0.0");
  }

  private void call(JsonNode call) {
    String name = call.path("name").asText(null);
    String raw = call.path("raw").asText(null);
    int line = call.path("line").asInt();
    int col = call.path("col").asInt();
    JsonNode args = call.path("args");
    String method = raw == null ? "" : raw.substring(raw.lastIndexOf('.') + 1);
    JsonNode trust = kw(args, "trust_remote_code");
    if (trust != null && !isConst(trust, false)) {
      add(
          "lint.trust-remote-code",
          isConst(trust, true) ? Severity.HIGH : Severity.MEDIUM,
          line,
          col,
          shown(name, raw) + "(trust_remote_code=...)",
          "runs Python code that comes with the model (modeling_*.py, auto_map) with the app's"
              + " rights",
          "trust_remote_code=False; vendor reviewed model code into the app instead");
    }
    JsonNode verify = kw(args, "verify");
    if (verify != null
        && isConst(verify, false)
        && (NETWORK_METHODS.contains(method)
            || (name != null && NETWORK_ROOTS.contains(root(name))))) {
      add(
          "lint.tls-verify-disabled",
          Severity.HIGH,
          line,
          col,
          shown(name, raw) + "(verify=False)",
          "TLS certificates not checked: a man in the middle can serve other bytes",
          "drop verify=False (or verify='/path/ca.pem'); check a pinned digest after download");
    }
    if (name == null && !method.equals("from_pretrained")) {
      return;
    }
    String n = name == null ? "" : name;
    if (PICKLE.contains(n)) {
      add(
          "lint.pickle-load",
          Severity.HIGH,
          line,
          col,
          n,
          "unpickling runs whatever code the file names",
          "store weights as safetensors and load them with safetensors, " + VERIFIED);
    } else if (DILL.contains(n)) {
      add(
          "lint.dill-load",
          Severity.HIGH,
          line,
          col,
          n,
          "dill/cloudpickle deserialize code: loading runs it",
          "store weights as safetensors, " + VERIFIED);
    } else if (JOBLIB.contains(n)) {
      add(
          "lint.joblib-load",
          Severity.HIGH,
          line,
          col,
          n,
          "joblib.load unpickles: loading runs whatever code the file names",
          "store arrays as safetensors or .npy (allow_pickle=False), " + VERIFIED);
    } else if (n.equals("torch.load")) {
      JsonNode wo = kw(args, "weights_only");
      if (wo == null || !isConst(wo, true)) {
        add(
            "lint.torch-load-unsafe",
            Severity.HIGH,
            line,
            col,
            wo == null ? "torch.load" : "torch.load(weights_only=...)",
            wo == null
                ? "torch.load without weights_only=True unpickles arbitrary objects on torch"
                    + " before 2.6 (and whenever the default is changed back)"
                : "torch.load with weights_only not True unpickles arbitrary objects",
            "torch.load(f, weights_only=True) on torch >= 2.6.0 (CVE-2025-32434), or"
                + " safetensors, "
                + VERIFIED);
      }
    } else if (n.equals("numpy.load")) {
      JsonNode ap = kw(args, "allow_pickle");
      if (ap == null) {
        ap = positional(args, 2);
      }
      if (ap != null && !isConst(ap, false)) {
        add(
            "lint.numpy-allow-pickle",
            isConst(ap, true) ? Severity.HIGH : Severity.MEDIUM,
            line,
            col,
            "numpy.load(allow_pickle=...)",
            "allow_pickle lets an object array's pickle run code when the file is loaded",
            "numpy.load(f, allow_pickle=False) (the default), " + VERIFIED);
      }
    } else if (YAML.contains(n)) {
      JsonNode loader = kw(args, "Loader");
      if (loader == null) {
        loader = positional(args, 1);
      }
      String l = loader == null ? null : loader.path("dotted").asText(null);
      if (l == null || !YAML_SAFE_LOADERS.contains(l)) {
        add(
            "lint.yaml-unsafe-load",
            Severity.HIGH,
            line,
            col,
            n + (loader == null ? "" : "(Loader=" + shown(l, "?") + ")"),
            "yaml.load without a safe Loader can construct arbitrary Python objects",
            "yaml.safe_load(f) or yaml.load(f, Loader=yaml.SafeLoader)");
      }
    } else if (YAML_UNSAFE.contains(n)) {
      add(
          "lint.yaml-unsafe-load",
          Severity.HIGH,
          line,
          col,
          n,
          "yaml.unsafe_load constructs arbitrary Python objects",
          "yaml.safe_load(f)");
    } else if (MLX_LOAD.contains(n)) {
      add(
          "lint.mlx-load-unverified",
          Severity.LOW,
          line,
          col,
          n,
          "mx.load reads whatever bytes are on disk when it runs: nothing checks them against a"
              + " signature",
          "verify first and load the verified bytes: modelseal.verified_files(...) or modelseal"
              + " verify --copy-to DIR, then mx.load on the copy");
    }
    if (HUB.contains(n) || method.equals("from_pretrained")) {
      revision(call, shown(name, raw), line, col);
    }
  }

  private void revision(JsonNode call, String shown, int line, int col) {
    JsonNode args = call.path("args");
    JsonNode first = positional(args, 0);
    if (first == null) {
      first = kw(args, "pretrained_model_name_or_path");
    }
    if (first == null) {
      first = kw(args, "path_or_hf_repo");
    }
    if (first != null && first.path("isconst").asBoolean() && localPath(first.path("const"))) {
      return;
    }
    JsonNode rev = kw(args, "revision");
    if (rev != null && rev.path("isconst").asBoolean() && rev.path("const").isTextual()) {
      if (COMMIT.matcher(rev.path("const").asText()).matches()) {
        return;
      }
    }
    String what =
        rev == null
            ? "no revision="
            : rev.path("isconst").asBoolean()
                ? "revision=" + rev.path("const").asText() + " is a branch or tag, not a commit"
                : "revision= is not a literal commit hash";
    add(
        "lint.unpinned-revision",
        Severity.MEDIUM,
        line,
        col,
        shown,
        what + ": the hub serves whatever the repository holds now",
        "pin revision=\"<40-hex commit>\" and check the files: modelseal lock PATH --source"
            + " hf://ORG/NAME@COMMIT, then modelseal verify");
  }

  private static boolean localPath(JsonNode c) {
    if (!c.isTextual()) {
      return false;
    }
    String s = c.asText();
    return s.startsWith("/") || s.startsWith("./") || s.startsWith("../") || s.startsWith("~");
  }

  /** Handler parameters (and the framework's request object) reaching a load in that function. */
  private void requestInput(JsonNode facts) {
    Set<String> requestNames = new HashSet<>();
    facts
        .path("aliases")
        .properties()
        .forEach(
            e -> {
              if (REQUEST_GLOBALS.contains(e.getValue().asText())) {
                requestNames.add(e.getKey());
              }
            });
    JsonNode funcs = facts.path("functions");
    for (int i = 0; i < funcs.size(); i++) {
      JsonNode fn = funcs.get(i);
      List<String> params = PythonFacts.strings(fn.path("params"));
      boolean route = false;
      for (JsonNode d : fn.path("decorators")) {
        String raw = d.path("raw").asText("");
        String last = raw.substring(raw.lastIndexOf('.') + 1);
        route |= d.path("call").asBoolean() && raw.contains(".") && ROUTE_DECORATORS.contains(last);
      }
      boolean django = !params.isEmpty() && params.getFirst().equals("request");
      if (!route && !django) {
        continue;
      }
      Set<String> tainted = new HashSet<>(params);
      tainted.remove("self");
      tainted.addAll(requestNames);
      propagate(facts.path("assigns"), i, tainted);
      for (JsonNode call : facts.path("calls")) {
        if (call.path("func").asInt() != i || !isLoad(call)) {
          continue;
        }
        for (JsonNode a : call.path("args")) {
          String kw = a.path("kw").asText("");
          if (kw.equals("revision") || kw.equals("weights_only") || kw.equals("allow_pickle")) {
            continue;
          }
          String hit = firstTainted(a.path("refs"), tainted);
          if (hit != null) {
            add(
                "lint.request-path-load",
                Severity.CRITICAL,
                call.path("line").asInt(),
                call.path("col").asInt(),
                shown(call.path("name").asText(null), call.path("raw").asText(null)) + " <- " + hit,
                "the model path comes from the request ("
                    + fn.path("name").asText()
                    + " handles web requests): a client picks which file is loaded",
                "load only models from a fixed allowlist of verified folders (modelseal verify"
                    + " --copy-to DIR); never build the path from request input");
            break;
          }
        }
      }
    }
  }

  private static void propagate(JsonNode assigns, int func, Set<String> tainted) {
    // Fixpoint over the function's assignments; each round adds a name or stops.
    for (int round = 0; round <= assigns.size(); round++) {
      boolean grew = false;
      for (JsonNode a : assigns) {
        if (a.path("func").asInt() != func || firstTainted(a.path("refs"), tainted) == null) {
          continue;
        }
        for (JsonNode t : a.path("targets")) {
          grew |= tainted.add(t.asText());
        }
      }
      if (!grew) {
        return;
      }
    }
  }

  private static String firstTainted(JsonNode refs, Set<String> tainted) {
    for (JsonNode r : refs) {
      if (tainted.contains(r.asText())) {
        return r.asText();
      }
    }
    return null;
  }

  private static boolean isLoad(JsonNode call) {
    String n = call.path("name").asText("");
    String raw = call.path("raw").asText("");
    return PICKLE.contains(n)
        || DILL.contains(n)
        || JOBLIB.contains(n)
        || YAML.contains(n)
        || YAML_UNSAFE.contains(n)
        || HUB.contains(n)
        || MLX_LOAD.contains(n)
        || OTHER_LOADS.contains(n)
        || n.equals("torch.load")
        || n.equals("numpy.load")
        || raw.endsWith(".from_pretrained");
  }

  private static JsonNode kw(JsonNode args, String key) {
    for (JsonNode a : args) {
      if (key.equals(a.path("kw").asText(null))) {
        return a;
      }
    }
    return null;
  }

  private static JsonNode positional(JsonNode args, int index) {
    int i = 0;
    for (JsonNode a : args) {
      if (!a.path("kw").isNull() || a.path("star").asBoolean()) {
        // A keyword, or *args whose length is unknown: later positions cannot be told.
        if (a.path("kw").isNull()) {
          return null;
        }
        continue;
      }
      if (i++ == index) {
        return a;
      }
    }
    return null;
  }

  private static boolean isConst(JsonNode arg, boolean value) {
    return arg.path("isconst").asBoolean()
        && arg.path("const").isBoolean()
        && arg.path("const").asBoolean() == value;
  }

  private static String root(String dotted) {
    int dot = dotted.indexOf('.');
    return dot < 0 ? dotted : dotted.substring(0, dot);
  }

  private static String shown(String name, String raw) {
    return name != null ? name : raw != null ? raw : "?";
  }

  private void add(
      String rule, Severity s, int line, int col, String subject, String message, String fix) {
    out.add(
        new Finding(rule, s, file, "", subject, message, Math.max(line, 0), Math.max(col, 0), fix));
  }
}
