package dev.modelseal.scan;

import dev.modelseal.format.FormatException;
import dev.modelseal.format.LimitExceededException;
import dev.modelseal.format.ParseLimits;
import dev.modelseal.scan.PickleValue.Bytes;
import dev.modelseal.scan.PickleValue.Global;
import dev.modelseal.scan.PickleValue.Num;
import dev.modelseal.scan.PickleValue.Opaque;
import dev.modelseal.scan.PickleValue.Persistent;
import dev.modelseal.scan.PickleValue.Result;
import dev.modelseal.scan.PickleValue.Str;
import dev.modelseal.scan.PickleValue.Tuple;
import dev.modelseal.scan.PickleValue.UnresolvedGlobal;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Walks pickle opcodes (protocols 0 to 5) over a modelled stack, mark stack and memo, executing
 * nothing. It reports every import and call site, grades imports with a {@link PicklePolicy}, and
 * reads the stream the way CPython's C unpickler ({@code _pickle.c}, what {@code torch.load} and
 * {@code pickle.load} use) does:
 *
 * <ul>
 *   <li>{@code FRAME} only requires that its bytes exist; opcodes inside are ordinary opcodes and
 *       may cross the frame's end (the pure-Python unpickler refuses that: a differential that is
 *       reported);
 *   <li>a {@code MARK} fences the stack: values below the newest mark cannot be popped;
 *   <li>{@code STACK_GLOBAL} takes its operands from the stack, so they may come from the memo;
 *       operands that are not literal strings are reported as unresolvable;
 *   <li>protocol-0 {@code STRING} and {@code UNICODE} arguments are unescaped before use.
 * </ul>
 *
 * Several pickles may follow each other; every one is scanned, as are bytes after the last {@code
 * STOP} and pickles passed as bytes to {@code pickle.loads} (breadth-first, depth-bounded, never
 * recursively on the Java stack).
 */
public final class PickleEmulator {
  /** PyTorch's legacy format starts with this number, pickled. */
  static final BigInteger TORCH_LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);

  /** The legacy format is five pickles (magic, protocol, sys info, object, storage keys). */
  private static final int TORCH_LEGACY_PICKLES = 5;

  /** Strings longer than this are never a module or attribute name; they are not decoded. */
  private static final long MAX_DECODED_STRING = 1 << 20;

  /** At most this many call sites are kept in the analysis (findings are not capped). */
  private static final int MAX_CALLS_KEPT = 100_000;

  /** Findings (and distinct imports) kept per analysis; a file past this is not clean anyway. */
  static final int MAX_FINDINGS = 10_000;

  /**
   * Bytes built during emulation ({@code _codecs.encode} results) and bytes queued as nested
   * pickles are capped per analysis at this much plus the input's size: a memoised argument passed
   * to {@code pickle.loads} a million times must not become a million scans or copies.
   */
  private static final long NESTED_BUDGET = 64L << 20;

  private static final ValueLayout.OfInt I32 =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong I64 =
      ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfShort I16 =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private static final Opaque NONE = new Opaque("None");
  private static final Opaque BOOL = new Opaque("bool");
  private static final Opaque FLOAT = new Opaque("float");
  private static final Opaque DICT = new Opaque("dict");
  private static final Opaque LIST = new Opaque("list");

  private final ParseLimits limits;
  private final PicklePolicy policy;

  public PickleEmulator(ParseLimits limits, PicklePolicy policy) {
    this.limits = limits;
    this.policy = policy;
  }

  /** True when {@code b} is an opcode some protocol defines. */
  static boolean isOpcode(int b) {
    return OPCODES.contains(b & 0xff);
  }

  private static final Set<Integer> OPCODES = opcodes();

  private static Set<Integer> opcodes() {
    Set<Integer> s = new HashSet<>();
    for (char c : "(.012FIJKLMNPQRSTUVXabcdeghijlopqrstu}])GBC".toCharArray()) {
      s.add((int) c);
    }
    for (int b = 0x80; b <= 0x98; b++) {
      s.add(b);
    }
    return Set.copyOf(s);
  }

  /**
   * Analyses every pickle in {@code data}.
   *
   * @param where location prefix for findings (an archive member, or empty)
   */
  public PickleAnalysis analyze(MemorySegment data, String where) {
    Analysis a = new Analysis();
    a.budget = NESTED_BUDGET + data.byteSize();
    Deque<Nested> work = new ArrayDeque<>();
    work.add(new Nested(data, 0, where));
    boolean first = true;
    while (!work.isEmpty()) {
      Nested n = work.poll();
      if (n.depth > limits.maxPickleDepth()) {
        a.complete = false;
        a.finding(
            "limit.max-pickle-depth",
            Severity.HIGH,
            n.where,
            "",
            "pickles nested deeper than " + limits.maxPickleDepth() + " were not scanned");
        continue;
      }
      scanStreams(n, a, work, first);
      first = false;
    }
    if (a.suppressed > 0) {
      a.findings.add(
          new Finding(
              "pickle.findings-truncated",
              Severity.HIGH,
              "",
              where,
              "",
              a.suppressed + " further findings not listed (more than " + MAX_FINDINGS + ")"));
    }
    return new PickleAnalysis(
        List.copyOf(a.imports), a.calls, a.findings, a.streams, a.complete, a.legacyTorch);
  }

  private record Nested(MemorySegment data, int depth, String where) {}

  /** Mutable state shared by all streams of one analysis. */
  private static final class Analysis {
    final Set<PickleImport> imports = new LinkedHashSet<>();
    final List<PickleCall> calls = new ArrayList<>();
    final List<Finding> findings = new ArrayList<>();
    final Set<String> reported = new HashSet<>();
    long suppressed;
    final Set<PickleValue> queued =
        java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    long budget;
    int streams;
    boolean complete = true;
    boolean legacyTorch;

    void finding(String rule, Severity sev, String where, String subject, String message) {
      // One finding per rule and subject: a state dict imports the same global thousands of times.
      if (findings.size() >= MAX_FINDINGS) {
        suppressed++;
        return;
      }
      if (subject.isEmpty() || reported.add(rule + '\0' + subject)) {
        findings.add(new Finding(rule, sev, "", where, subject, message));
      }
    }

    final Map<PickleImport, String> names = new HashMap<>();

    /** One string per import, however many calls name it. */
    String name(PickleImport imp) {
      return names.computeIfAbsent(imp, PickleImport::toString);
    }

    void call(String opcode, String target, long offset) {
      if (calls.size() < MAX_CALLS_KEPT) {
        calls.add(new PickleCall(opcode, target, offset));
      }
    }
  }

  private void scanStreams(Nested n, Analysis a, Deque<Nested> work, boolean topLevel) {
    MemorySegment data = n.data;
    long size = data.byteSize();
    long pos = 0;
    int index = 0;
    boolean legacy = false;
    while (pos < size || index == 0) {
      String where = n.where;
      if (legacy && index == TORCH_LEGACY_PICKLES) {
        // The rest is raw storage data that torch reads with file reads, not with pickle.
        return;
      }
      if (index > 0 && !legacy && !isOpcode(data.get(ValueLayout.JAVA_BYTE, pos))) {
        a.finding(
            "pickle.data-after-stop",
            Severity.MEDIUM,
            Findings.at(where, "offset " + pos),
            "",
            (size - pos) + " bytes after the last STOP are not a pickle (polyglot or hidden data)");
        return;
      }
      Stream s = new Stream(data, pos, a, work, n.depth, where);
      try {
        Object top = s.run();
        a.streams++;
        if (index == 0 && top instanceof Num num && num.value().equals(TORCH_LEGACY_MAGIC)) {
          legacy = true;
          if (topLevel) {
            a.legacyTorch = true;
          }
        } else if (index > 0 && !legacy) {
          a.finding(
              "pickle.multiple-streams",
              Severity.LOW,
              Findings.at(where, "offset " + pos),
              "",
              "another pickle follows the first STOP (scanned; loaders that read on will run it)");
        }
        pos = s.pos;
        index++;
      } catch (FormatException e) {
        if (index > 0 && !legacy) {
          a.finding(
              "pickle.data-after-stop",
              Severity.MEDIUM,
              Findings.at(where, "offset " + pos),
              "",
              (size - pos)
                  + " bytes after the last STOP are not a complete pickle ("
                  + e.rule()
                  + " at offset "
                  + e.offset()
                  + ")");
        } else {
          a.complete = false;
          a.finding(
              e.rule(),
              Severity.HIGH,
              Findings.at(where, "offset " + e.offset()),
              "",
              "malformed pickle: " + detail(e));
        }
        return;
      }
    }
    if (legacy && index < TORCH_LEGACY_PICKLES) {
      a.complete = false;
      a.finding(
          "pickle.truncated",
          Severity.HIGH,
          n.where,
          "",
          "malformed pickle: PyTorch legacy file has "
              + index
              + " of its "
              + TORCH_LEGACY_PICKLES
              + " pickles");
    }
  }

  private static String detail(FormatException e) {
    String m = e.getMessage();
    int close = m.indexOf("] ");
    return close >= 0 ? m.substring(close + 2) : m;
  }

  /** One pickle stream being emulated. */
  private final class Stream {
    final MemorySegment data;
    final long size;
    final Analysis a;
    final Deque<Nested> work;
    final int depth;
    final String where;
    final ArrayList<PickleValue> stack = new ArrayList<>();
    final ArrayList<Integer> marks = new ArrayList<>();
    final PickleMemo memo = new PickleMemo();
    long pos;
    int proto;
    long frameEnd = -1;
    long opcodes;

    Stream(
        MemorySegment data, long start, Analysis a, Deque<Nested> work, int depth, String where) {
      this.data = data;
      this.size = data.byteSize();
      this.pos = start;
      this.a = a;
      this.work = work;
      this.depth = depth;
      this.where = where;
    }

    FormatException malformed(String rule, long at, String detail) {
      return new FormatException(rule, null, at, null, detail);
    }

    /** Runs to STOP; returns the value STOP popped. */
    Object run() throws FormatException {
      while (true) {
        if (pos >= size) {
          throw malformed("pickle.truncated", pos, "stream ends without STOP");
        }
        opcodes++;
        if (opcodes > limits.maxPickleOpcodes()) {
          throw new LimitExceededException(
              "max-pickle-opcodes", opcodes, limits.maxPickleOpcodes(), null, pos, null);
        }
        long at = pos;
        int op = data.get(ValueLayout.JAVA_BYTE, pos++) & 0xff;
        if (op == '.') {
          return pop(at);
        }
        step(op, at);
        if (frameEnd >= 0 && at < frameEnd && pos > frameEnd) {
          a.finding(
              "pickle.frame-mismatch",
              Severity.MEDIUM,
              Findings.at(where, "offset " + at),
              "opcode crosses frame end",
              "an opcode crosses the end of its FRAME: the C unpickler accepts this, the"
                  + " pure-Python one refuses it (parser differential)");
        }
      }
    }

    void step(int op, long at) throws FormatException {
      switch (op) {
        case '(' -> {
          if (marks.size() >= limits.maxPickleDepth()) {
            throw new LimitExceededException(
                "max-pickle-depth", marks.size() + 1L, limits.maxPickleDepth(), null, at, null);
          }
          marks.add(stack.size());
        }
        case '0' -> { // POP: pops a mark if one sits on top, as _pickle.c does
          if (!marks.isEmpty() && marks.getLast() == stack.size()) {
            marks.removeLast();
          } else {
            pop(at);
          }
        }
        case '1' -> popMark(at); // POP_MARK
        case '2' -> push(peek(at), at); // DUP
        case 'F' -> { // FLOAT
          parseFloat(line(at), at);
          push(FLOAT, at);
        }
        case 'I' -> { // INT: "00"/"01" are False/True
          String s = ascii(line(at), at);
          if (s.equals("00") || s.equals("01")) {
            push(BOOL, at);
          } else {
            push(parseInt(s, at, false), at);
          }
        }
        case 'J' -> push(num(data.get(I32, need(4, at))), at); // BININT
        case 'K' -> push(num(u8(at)), at); // BININT1
        case 'L' -> push(parseInt(ascii(line(at), at), at, true), at); // LONG
        case 'M' -> push(num(data.get(I16, need(2, at)) & 0xffff), at); // BININT2
        case 'N', 0x88, 0x89 -> push(op == 'N' ? NONE : BOOL, at);
        case 'P' -> push(new Persistent(new Str(ascii(line(at), at))), at); // PERSID
        case 'Q' -> push(new Persistent(pop(at)), at); // BINPERSID
        case 'R' -> { // REDUCE
          PickleValue args = pop(at);
          PickleValue callable = pop(at);
          push(call("REDUCE", callable, args, at), at);
        }
        case 'S' -> push(str(escapeDecode(quoted(line(at), at), at)), at); // STRING
        case 'T' -> { // BINSTRING: signed length
          long n = data.get(I32, need(4, at));
          if (n < 0) {
            throw malformed("pickle.bad-length", at, "BINSTRING has a negative length");
          }
          push(str(bytes(n, at)), at);
        }
        case 'U' -> push(str(bytes(u8(at), at)), at); // SHORT_BINSTRING
        case 'V' -> push(new Str(rawUnicodeEscape(line(at))), at); // UNICODE
        case 'X' -> push(unicode(bytes(u32(at), at)), at); // BINUNICODE
        case 'a' -> { // APPEND
          pop(at);
          mutate("APPEND", peek(at), at);
        }
        case 'b' -> build(at); // BUILD
        case 'c' -> { // GLOBAL
          String module = utf8Line(at);
          String name = utf8Line(at);
          push(global(new PickleImport(module, name), at), at);
        }
        case 'd' -> { // DICT
          List<PickleValue> items = popMark(at);
          if (items.size() % 2 != 0) {
            throw malformed("pickle.odd-items", at, "odd number of items for DICT");
          }
          push(DICT, at);
        }
        case '}' -> push(DICT, at);
        case ']' -> push(LIST, at);
        case ')' -> push(new Tuple(List.of()), at);
        case 'e' -> { // APPENDS
          popMark(at);
          mutate("APPENDS", peek(at), at);
        }
        case 'g' -> push(get(decimal(line(at), at), at), at); // GET
        case 'h' -> push(get(u8(at), at), at); // BINGET
        case 'j' -> push(get(u32(at), at), at); // LONG_BINGET
        case 'i' -> { // INST: module and class on text lines, arguments since the mark
          String module = utf8Line(at);
          String name = utf8Line(at);
          PickleValue cls = global(new PickleImport(module, name), at);
          List<PickleValue> args = popMark(at);
          push(call("INST", cls, new Tuple(args), at), at);
        }
        case 'l' -> { // LIST
          popMark(at);
          push(LIST, at);
        }
        case 'o' -> { // OBJ: class and arguments since the mark
          List<PickleValue> items = popMark(at);
          if (items.isEmpty()) {
            throw malformed("pickle.stack-underflow", at, "OBJ without a class");
          }
          push(call("OBJ", items.getFirst(), new Tuple(items.subList(1, items.size())), at), at);
        }
        case 'p' -> put(decimal(line(at), at), at); // PUT
        case 'q' -> put(u8(at), at); // BINPUT
        case 'r' -> put(u32(at), at); // LONG_BINPUT
        case 's' -> { // SETITEM
          pop(at);
          pop(at);
          mutate("SETITEM", peek(at), at);
        }
        case 't' -> push(new Tuple(popMark(at)), at); // TUPLE
        case 'u' -> { // SETITEMS
          List<PickleValue> items = popMark(at);
          if (items.size() % 2 != 0) {
            throw malformed("pickle.odd-items", at, "odd number of items for SETITEMS");
          }
          mutate("SETITEMS", peek(at), at);
        }
        case 'G' -> { // BINFLOAT
          need(8, at);
          push(FLOAT, at);
        }
        case 'B' -> push(new Bytes(slice(u32(at), at)), at); // BINBYTES
        case 'C' -> push(new Bytes(slice(u8(at), at)), at); // SHORT_BINBYTES
        case 0x80 -> { // PROTO
          proto = u8(at);
          if (proto > 5) {
            throw malformed("pickle.unsupported-protocol", at, "unsupported protocol " + proto);
          }
        }
        case 0x81 -> { // NEWOBJ
          PickleValue args = pop(at);
          PickleValue cls = pop(at);
          push(call("NEWOBJ", cls, args, at), at);
        }
        case 0x92 -> { // NEWOBJ_EX
          pop(at);
          PickleValue args = pop(at);
          PickleValue cls = pop(at);
          push(call("NEWOBJ_EX", cls, args, at), at);
        }
        case 0x82 -> push(extension(u8(at), at), at); // EXT1
        case 0x83 -> push(extension(data.get(I16, need(2, at)) & 0xffff, at), at); // EXT2
        case 0x84 -> push(extension(data.get(I32, need(4, at)), at), at); // EXT4
        case 0x85 -> push(tuple(1, at), at);
        case 0x86 -> push(tuple(2, at), at);
        case 0x87 -> push(tuple(3, at), at);
        case 0x8a -> push(longBytes(u8(at), at), at); // LONG1
        case 0x8b -> { // LONG4
          long n = data.get(I32, need(4, at));
          if (n < 0) {
            throw malformed("pickle.bad-length", at, "LONG4 has a negative byte count");
          }
          push(longBytes(n, at), at);
        }
        case 0x8c -> push(unicode(bytes(u8(at), at)), at); // SHORT_BINUNICODE
        case 0x8d -> push(unicode(bytes(u64(at), at)), at); // BINUNICODE8
        case 0x8e -> push(new Bytes(slice(u64(at), at)), at); // BINBYTES8
        case 0x96 -> push(new Bytes(slice(u64(at), at)), at); // BYTEARRAY8
        case 0x8f -> push(new Opaque("set"), at); // EMPTY_SET
        case 0x90 -> { // ADDITEMS
          popMark(at);
          mutate("ADDITEMS", peek(at), at);
        }
        case 0x91 -> { // FROZENSET
          popMark(at);
          push(new Opaque("frozenset"), at);
        }
        case 0x93 -> stackGlobal(at);
        case 0x94 -> put(memo.size(), at); // MEMOIZE
        case 0x95 -> frame(at);
        case 0x97 -> push(new Opaque("out-of-band buffer"), at); // NEXT_BUFFER
        case 0x98 -> peek(at); // READONLY_BUFFER
        default ->
            throw malformed(
                "pickle.unknown-opcode", at, String.format("unknown opcode 0x%02x", op));
      }
    }

    // ---- stack, marks, memo --------------------------------------------------------------

    int fence() {
      return marks.isEmpty() ? 0 : marks.getLast();
    }

    void push(PickleValue v, long at) throws LimitExceededException {
      // The memo limit also bounds the stack: both hold one reference per value.
      if (stack.size() >= limits.maxPickleMemo()) {
        throw new LimitExceededException(
            "max-pickle-memo", stack.size() + 1L, limits.maxPickleMemo(), null, at, null);
      }
      stack.add(v);
    }

    PickleValue pop(long at) throws FormatException {
      if (stack.size() <= fence()) {
        throw malformed("pickle.stack-underflow", at, "unpickling stack underflow");
      }
      return stack.removeLast();
    }

    PickleValue peek(long at) throws FormatException {
      if (stack.size() <= fence()) {
        throw malformed("pickle.stack-underflow", at, "unpickling stack underflow");
      }
      return stack.getLast();
    }

    List<PickleValue> popMark(long at) throws FormatException {
      if (marks.isEmpty()) {
        throw malformed("pickle.no-mark", at, "could not find MARK");
      }
      int m = marks.removeLast();
      List<PickleValue> items = new ArrayList<>(stack.subList(m, stack.size()));
      stack.subList(m, stack.size()).clear();
      return items;
    }

    Tuple tuple(int n, long at) throws FormatException {
      PickleValue[] items = new PickleValue[n];
      for (int i = n - 1; i >= 0; i--) {
        items[i] = pop(at);
      }
      return new Tuple(List.of(items));
    }

    PickleValue get(long index, long at) throws FormatException {
      PickleValue v = memo.get(index);
      if (v == null) {
        throw malformed("pickle.memo-missing", at, "memo key " + index + " was never stored");
      }
      return v;
    }

    void put(long index, long at) throws FormatException {
      if (index < 0) {
        throw malformed("pickle.bad-argument", at, "negative memo index");
      }
      PickleValue v = peek(at);
      if (!memo.contains(index) && memo.size() >= limits.maxPickleMemo()) {
        throw new LimitExceededException(
            "max-pickle-memo", memo.size() + 1L, limits.maxPickleMemo(), null, at, null);
      }
      memo.put(index, v);
    }

    // ---- reading operands -----------------------------------------------------------------

    long need(long n, long at) throws FormatException {
      if (n < 0 || n > size - pos) {
        throw malformed(
            "pickle.truncated", at, "operand of " + n + " bytes runs past the end of the data");
      }
      long p = pos;
      pos += n;
      return p;
    }

    int u8(long at) throws FormatException {
      return data.get(ValueLayout.JAVA_BYTE, need(1, at)) & 0xff;
    }

    long u32(long at) throws FormatException {
      return data.get(I32, need(4, at)) & 0xffffffffL;
    }

    long u64(long at) throws FormatException {
      long n = data.get(I64, need(8, at));
      if (n < 0) {
        throw malformed("pickle.bad-length", at, "length exceeds 2^63-1");
      }
      return n;
    }

    MemorySegment slice(long n, long at) throws FormatException {
      return data.asSlice(need(n, at), n);
    }

    /** Bytes of a string operand; null when too long to be a name (not decoded). */
    byte[] bytes(long n, long at) throws FormatException {
      MemorySegment s = slice(n, at);
      return n > MAX_DECODED_STRING ? null : s.toArray(ValueLayout.JAVA_BYTE);
    }

    /** A text line without its newline. */
    byte[] line(long at) throws FormatException {
      long nl = -1;
      long end = Math.min(size, pos + MAX_DECODED_STRING + 1);
      for (long i = pos; i < end; i++) {
        if (data.get(ValueLayout.JAVA_BYTE, i) == '\n') {
          nl = i;
          break;
        }
      }
      if (nl < 0 && end < size) {
        throw malformed("pickle.bad-argument", at, "text operand longer than 1 MiB");
      }
      if (nl < 0) {
        throw malformed("pickle.truncated", at, "text operand has no newline");
      }
      long n = nl - pos;
      if (n > MAX_DECODED_STRING) {
        throw malformed("pickle.bad-argument", at, "text operand longer than 1 MiB");
      }
      byte[] b = data.asSlice(pos, n).toArray(ValueLayout.JAVA_BYTE);
      pos = nl + 1;
      return b;
    }

    String utf8Line(long at) throws FormatException {
      try {
        return StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(line(at)))
            .toString();
      } catch (CharacterCodingException e) {
        throw malformed("pickle.bad-argument", at, "GLOBAL/INST name is not UTF-8");
      }
    }

    String ascii(byte[] b, long at) throws FormatException {
      for (byte x : b) {
        if (x < 0) {
          throw malformed("pickle.bad-argument", at, "text operand is not ASCII");
        }
      }
      return new String(b, StandardCharsets.US_ASCII);
    }

    long decimal(byte[] b, long at) throws FormatException {
      String s = ascii(b, at).strip().replace("_", "");
      if (s.isEmpty() || s.length() > 18 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw malformed("pickle.bad-argument", at, "memo index is not a decimal number");
      }
      return Long.parseLong(s);
    }

    PickleValue parseInt(String text, long at, boolean isLong) throws FormatException {
      String s = text.strip();
      if (isLong && s.endsWith("L")) {
        s = s.substring(0, s.length() - 1);
      }
      s = s.replace("_", "");
      int radix = 10;
      String digits = s;
      boolean neg = false;
      if (digits.startsWith("-") || digits.startsWith("+")) {
        neg = digits.charAt(0) == '-';
        digits = digits.substring(1);
      }
      if (!isLong && digits.length() > 2 && digits.charAt(0) == '0') {
        char p = Character.toLowerCase(digits.charAt(1));
        radix = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 10;
        if (radix != 10) {
          digits = digits.substring(2);
        }
      }
      if (digits.isEmpty() || digits.length() > 4300) {
        throw malformed("pickle.bad-argument", at, "integer operand is not a number");
      }
      try {
        BigInteger v = new BigInteger(digits, radix);
        return new Num(neg ? v.negate() : v);
      } catch (NumberFormatException e) {
        throw malformed("pickle.bad-argument", at, "integer operand is not a number");
      }
    }

    void parseFloat(byte[] b, long at) throws FormatException {
      String s = ascii(b, at).strip().replace("_", "").toLowerCase(java.util.Locale.ROOT);
      String t = s.startsWith("-") || s.startsWith("+") ? s.substring(1) : s;
      if (t.equals("inf") || t.equals("infinity") || t.equals("nan")) {
        return;
      }
      if (!t.matches("(\\d+\\.?\\d*|\\.\\d+)(e[+-]?\\d+)?")) {
        throw malformed("pickle.bad-argument", at, "FLOAT operand is not a number");
      }
    }

    PickleValue longBytes(long n, long at) throws FormatException {
      MemorySegment s = slice(n, at);
      if (n == 0) {
        return new Num(BigInteger.ZERO);
      }
      if (n > 64) {
        return new Opaque("int");
      }
      byte[] le = s.toArray(ValueLayout.JAVA_BYTE);
      byte[] be = new byte[le.length];
      for (int i = 0; i < le.length; i++) {
        be[i] = le[le.length - 1 - i];
      }
      return new Num(new BigInteger(be));
    }

    Num num(long v) {
      return new Num(BigInteger.valueOf(v));
    }

    byte[] quoted(byte[] b, long at) throws FormatException {
      if (b.length >= 2 && (b[0] == '\'' || b[0] == '"') && b[b.length - 1] == b[0]) {
        byte[] inner = new byte[b.length - 2];
        System.arraycopy(b, 1, inner, 0, inner.length);
        return inner;
      }
      throw malformed("pickle.bad-argument", at, "the STRING opcode argument must be quoted");
    }

    /** Python's {@code codecs.escape_decode}. */
    byte[] escapeDecode(byte[] b, long at) throws FormatException {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(b.length);
      for (int i = 0; i < b.length; i++) {
        int c = b[i] & 0xff;
        if (c != '\\' || i + 1 >= b.length) {
          if (c == '\\') {
            throw malformed("pickle.bad-argument", at, "trailing \\ in STRING");
          }
          out.write(c);
          continue;
        }
        int e = b[++i] & 0xff;
        switch (e) {
          case '\n' -> {}
          case '\\', '\'', '"' -> out.write(e);
          case 'a' -> out.write(7);
          case 'b' -> out.write(8);
          case 'f' -> out.write(12);
          case 'n' -> out.write(10);
          case 'r' -> out.write(13);
          case 't' -> out.write(9);
          case 'v' -> out.write(11);
          case 'x' -> {
            int h1 = i + 1 < b.length ? Character.digit(b[i + 1], 16) : -1;
            int h2 = i + 2 < b.length ? Character.digit(b[i + 2], 16) : -1;
            if (h1 < 0 || h2 < 0) {
              throw malformed("pickle.bad-argument", at, "invalid \\x escape in STRING");
            }
            out.write(h1 * 16 + h2);
            i += 2;
          }
          default -> {
            if (e >= '0' && e <= '7') {
              int v = e - '0';
              for (int k = 0;
                  k < 2 && i + 1 < b.length && b[i + 1] >= '0' && b[i + 1] <= '7';
                  k++) {
                v = v * 8 + (b[++i] - '0');
              }
              out.write(v & 0xff);
            } else {
              out.write('\\');
              out.write(e);
            }
          }
        }
      }
      return out.toByteArray();
    }

    /** Python's {@code raw-unicode-escape} decoding: only \\uXXXX and \\UXXXXXXXX escapes. */
    String rawUnicodeEscape(byte[] b) {
      StringBuilder sb = new StringBuilder(b.length);
      int i = 0;
      while (i < b.length) {
        int c = b[i] & 0xff;
        if (c == '\\') {
          int run = 0;
          while (i + run < b.length && b[i + run] == '\\') {
            run++;
          }
          int next = i + run < b.length ? b[i + run] & 0xff : -1;
          if (run % 2 == 1 && (next == 'u' || next == 'U')) {
            int digits = next == 'u' ? 4 : 8;
            int start = i + run + 1;
            int cp = 0;
            boolean ok = start + digits <= b.length;
            for (int k = 0; ok && k < digits; k++) {
              int d = Character.digit(b[start + k], 16);
              ok = d >= 0;
              cp = cp * 16 + Math.max(d, 0);
            }
            if (ok && Character.isValidCodePoint(cp)) {
              sb.append("\\".repeat(run - 1));
              sb.appendCodePoint(cp);
              i = start + digits;
              continue;
            }
          }
          sb.append("\\".repeat(run));
          i += run;
          continue;
        }
        sb.append((char) c);
        i++;
      }
      return sb.toString();
    }

    /** A pickled byte string as the unpickler's str (UTF-8, else Latin-1). */
    PickleValue str(byte[] b) {
      if (b == null) {
        return new Opaque("long string");
      }
      return new Str(decodeLenient(b));
    }

    PickleValue unicode(byte[] b) {
      return b == null ? new Opaque("long string") : new Str(decodeLenient(b));
    }

    String decodeLenient(byte[] b) {
      try {
        return StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(b))
            .toString();
      } catch (CharacterCodingException e) {
        return new String(b, StandardCharsets.ISO_8859_1);
      }
    }

    // ---- frames -----------------------------------------------------------------------------

    void frame(long at) throws FormatException {
      long n = u64(at);
      if (n > size - pos) {
        throw malformed("pickle.truncated", at, "FRAME of " + n + " bytes runs past the end");
      }
      if (frameEnd > pos) {
        a.finding(
            "pickle.frame-mismatch",
            Severity.MEDIUM,
            Findings.at(where, "offset " + at),
            "frame inside frame",
            "a FRAME starts before the previous one ended: the C unpickler accepts this, the"
                + " pure-Python one refuses it (parser differential)");
      }
      // _pickle.c only checks that the frame's bytes exist and rewinds: its content is parsed as
      // ordinary opcodes. Skipping or isolating frames is how scanners were bypassed.
      frameEnd = pos + n;
    }

    // ---- imports and calls ------------------------------------------------------------------

    PickleValue global(PickleImport imp, long at) {
      if (a.imports.size() < MAX_CALLS_KEPT) {
        a.imports.add(imp);
      }
      String loc = Findings.at(where, "offset " + at);
      switch (policy.classify(imp, proto)) {
        case DANGEROUS ->
            a.finding(
                "pickle.dangerous-import",
                Severity.CRITICAL,
                loc,
                imp.toString(),
                "imports a known-dangerous callable: loading this file can run arbitrary code");
        case NOT_ALLOWLISTED ->
            a.finding(
                "pickle.non-allowlisted-import",
                Severity.HIGH,
                loc,
                imp.toString(),
                "imports a global that plain weight files do not need (not on the allowlist)");
        case ALLOWED -> {}
      }
      return new Global(imp, at);
    }

    void stackGlobal(long at) throws FormatException {
      PickleValue name = pop(at);
      PickleValue module = pop(at);
      if (module instanceof Str m && name instanceof Str n) {
        push(global(new PickleImport(m.value(), n.value()), at), at);
        return;
      }
      String why =
          "module " + PickleValue.describe(module) + ", name " + PickleValue.describe(name);
      a.finding(
          "pickle.unresolvable-import",
          Severity.CRITICAL,
          Findings.at(where, "offset " + at),
          why,
          "STACK_GLOBAL operands are not literal strings: the import cannot be checked");
      push(new UnresolvedGlobal(why, at), at);
    }

    PickleValue extension(long code, long at) {
      String why = "extension code " + code;
      a.finding(
          "pickle.unresolvable-import",
          Severity.CRITICAL,
          Findings.at(where, "offset " + at),
          why,
          "imports through the copyreg extension registry, which is not known statically");
      return new UnresolvedGlobal(why, at);
    }

    PickleValue call(String opcode, PickleValue callee, PickleValue args, long at) {
      String loc = Findings.at(where, "offset " + at);
      switch (callee) {
        case Global g -> {
          String name = a.name(g.ref());
          a.call(opcode, name, at);
          PickleImport ref = PicklePolicy.py3Name(g.ref());
          if (PicklePolicy.nestedLoader(g.ref())) {
            nested(g.ref(), args, loc);
          }
          if (ref.module().equals("_codecs") && ref.name().equals("encode")) {
            PickleValue encoded = codecsEncode(args);
            if (encoded != null) {
              return encoded;
            }
          }
          if (ref.module().equals("builtins")
              && (ref.name().equals("bytearray") || ref.name().equals("bytes"))
              && args instanceof Tuple t
              && t.items().size() == 1
              && t.items().getFirst() instanceof Bytes b) {
            return b;
          }
          return new Result(name, at);
        }
        case UnresolvedGlobal u -> {
          a.call(opcode, "unresolved global", at);
          return new Result("unresolved global", at);
        }
        default -> {
          String what = PickleValue.describe(callee);
          a.call(opcode, what, at);
          a.finding(
              "pickle.indirect-call",
              Severity.HIGH,
              loc,
              what,
              opcode + " calls a value that is not an import (" + what + "): a gadget chain");
          return new Result(what, at);
        }
      }
    }

    /** {@code _codecs.encode(str, 'latin1')} is how protocols 0-2 pickle bytes. */
    PickleValue codecsEncode(PickleValue args) {
      if (args instanceof Tuple t
          && !t.items().isEmpty()
          && t.items().getFirst() instanceof Str s) {
        String enc =
            t.items().size() > 1 && t.items().get(1) instanceof Str e
                ? e.value().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
                : "utf-8";
        byte[] b =
            switch (enc) {
              case "latin1", "latin-1", "iso-8859-1", "iso8859-1", "l1" ->
                  s.value().getBytes(StandardCharsets.ISO_8859_1);
              case "utf-8", "utf8" -> s.value().getBytes(StandardCharsets.UTF_8);
              case "ascii", "us-ascii" -> s.value().getBytes(StandardCharsets.US_ASCII);
              default -> null;
            };
        if (b == null || b.length > a.budget) {
          return null; // not materialised: a loads() of it is then reported as unresolvable
        }
        a.budget -= b.length;
        return new Bytes(MemorySegment.ofArray(b));
      }
      return null;
    }

    void nested(PickleImport loader, PickleValue args, String loc) {
      if (args instanceof Tuple t
          && !t.items().isEmpty()
          && t.items().getFirst() instanceof Bytes b) {
        if (!a.queued.add(b)) {
          return; // the same bytes (memoised) are scanned once
        }
        if (b.value().byteSize() > a.budget) {
          a.complete = false;
          a.finding(
              "limit.nested-pickle-bytes",
              Severity.HIGH,
              loc,
              loader.toString(),
              "nested pickles exceed the scanning budget: not all were scanned");
          return;
        }
        a.budget -= b.value().byteSize();
        work.add(
            new Nested(
                b.value(),
                depth + 1,
                loc + " > pickle passed to " + loader + " (depth " + (depth + 1) + ")"));
        return;
      }
      a.complete = false;
      a.finding(
          "pickle.nested-pickle-unresolvable",
          Severity.CRITICAL,
          loc,
          loader.toString(),
          "a nested pickle is loaded from a value that is not literal bytes: it cannot be scanned");
    }

    void build(long at) throws FormatException {
      pop(at);
      PickleValue target = peek(at);
      String what = PickleValue.describe(target);
      a.call("BUILD", what, at);
      if (target instanceof Global || target instanceof UnresolvedGlobal) {
        a.finding(
            "pickle.build-on-import",
            Severity.CRITICAL,
            Findings.at(where, "offset " + at),
            what,
            "BUILD sets state or attributes on an imported module, class or function"
                + " (patching code at load time)");
      }
    }

    void mutate(String opcode, PickleValue target, long at) {
      if (target instanceof Global || target instanceof UnresolvedGlobal) {
        String what = PickleValue.describe(target);
        a.finding(
            "pickle.mutates-import",
            Severity.CRITICAL,
            Findings.at(where, "offset " + at),
            what,
            opcode + " modifies an imported object in place (e.g. sys.modules or a loader table)");
      }
    }
  }
}
