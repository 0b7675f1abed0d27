package dev.modelseal.scan;

import static dev.modelseal.scan.PickleBuilder.call;
import static dev.modelseal.scan.PickleBuilder.pickle;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modelseal.format.ParseLimits;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;

class PickleEmulatorTest {
  private static final PickleEmulator EMULATOR =
      new PickleEmulator(ParseLimits.defaults(), PicklePolicy.defaults());

  static PickleAnalysis analyze(PickleBuilder b) {
    return EMULATOR.analyze(b.segment(), "");
  }

  static PickleAnalysis analyze(byte[] b) {
    return EMULATOR.analyze(MemorySegment.ofArray(b), "");
  }

  static List<String> rules(PickleAnalysis a) {
    return a.findings().stream().map(Finding::rule).toList();
  }

  static Finding only(PickleAnalysis a, String rule) {
    List<Finding> f = a.findings().stream().filter(x -> x.rule().equals(rule)).toList();
    assertThat(f).as("findings %s in %s", rule, a.findings()).hasSize(1);
    return f.getFirst();
  }

  static void assertDangerous(PickleAnalysis a, String imp) {
    assertThat(a.findings())
        .as("findings")
        .anySatisfy(
            f -> {
              assertThat(f.rule()).isEqualTo("pickle.dangerous-import");
              assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
              assertThat(f.subject()).isEqualTo(imp);
            });
  }

  static void assertMalformed(PickleAnalysis a, String rule) {
    assertThat(a.complete()).as("complete").isFalse();
    Finding f = only(a, rule);
    assertThat(f.severity()).isEqualTo(Severity.HIGH);
    assertThat(f.message()).startsWith("malformed pickle");
  }

  // ---- imports and calls -------------------------------------------------------------------

  @Test
  void analyze_globalOsSystem_criticalImportAndReduceCall() {
    PickleAnalysis a = analyze(call("os", "system", "id"));
    assertDangerous(a, "os.system");
    assertThat(a.imports()).containsExactly(new PickleImport("os", "system"));
    assertThat(a.calls()).containsExactly(new PickleCall("REDUCE", "os.system", 21));
    assertThat(a.complete()).isTrue();
    assertThat(a.streams()).isEqualTo(1);
  }

  @Test
  void analyze_submoduleOfDangerousModule_critical() {
    assertDangerous(analyze(call("os.path", "join", "x")), "os.path.join");
    assertDangerous(analyze(call("urllib.request", "urlopen", "x")), "urllib.request.urlopen");
  }

  @Test
  void analyze_callablesMissingFromBlocklists_flagged() {
    assertDangerous(analyze(call("pip", "main", "install")), "pip.main");
    assertDangerous(
        analyze(call("torch.utils.collect_env", "run", "id")), "torch.utils.collect_env.run");
    assertDangerous(
        analyze(call("numpy.testing._private.utils", "runstring", "x")),
        "numpy.testing._private.utils.runstring");
    assertDangerous(analyze(call("types", "FunctionType", "x")), "types.FunctionType");
    assertDangerous(analyze(call("marshal", "loads", "x")), "marshal.loads");
  }

  @Test
  void analyze_unknownGlobal_highNonAllowlisted() {
    Finding f =
        only(analyze(call("mypackage.hooks", "setup", "x")), "pickle.non-allowlisted-import");
    assertThat(f.severity()).isEqualTo(Severity.HIGH);
    assertThat(f.subject()).isEqualTo("mypackage.hooks.setup");
  }

  @Test
  void analyze_python2BuiltinName_mappedAndCritical() {
    assertDangerous(analyze(call("__builtin__", "eval", "1")), "__builtin__.eval");
  }

  @Test
  void analyze_dottedNameReachingOs_critical() {
    // Protocol 4 walks dotted names attribute by attribute: torch.serialization.os.system.
    PickleAnalysis a =
        analyze(
            pickle()
                .proto(4)
                .shortStr("torch")
                .shortStr("serialization.os.system")
                .stackGlobal()
                .shortStr("id")
                .tuple1()
                .reduce()
                .stop());
    assertDangerous(a, "torch.serialization.os.system");
  }

  @Test
  void analyze_stackGlobalThroughMemo_resolved() {
    // The operands are memoised first and fetched back with BINGET: still resolved.
    PickleAnalysis a =
        analyze(
            pickle()
                .proto(4)
                .shortStr("os")
                .memoize()
                .op('0')
                .shortStr("system")
                .binput(7)
                .op('0')
                .binget(0)
                .binget(7)
                .stackGlobal()
                .shortStr("id")
                .tuple1()
                .reduce()
                .stop());
    assertDangerous(a, "os.system");
  }

  @Test
  void analyze_stackGlobalWithProtocol0EscapedStrings_unescaped() {
    PickleAnalysis a =
        analyze(
            pickle()
                .string0("o\\x73")
                .unicode0("\\u0073ystem")
                .stackGlobal()
                .string0("id")
                .tuple1()
                .reduce()
                .stop());
    assertDangerous(a, "os.system");
  }

  @Test
  void analyze_stackGlobalWithOctalEscapes_unescaped() {
    PickleAnalysis a =
        analyze(pickle().string0("\\157s").string0("sys\\164em").stackGlobal().stop());
    assertDangerous(a, "os.system");
  }

  @Test
  void analyze_stackGlobalOnCallResult_unresolvable() {
    // The module name is computed at load time (str.join result): no scanner can know it.
    PickleAnalysis a =
        analyze(
            pickle()
                .proto(4)
                .global("builtins", "str")
                .shortStr("o")
                .tuple1()
                .reduce()
                .shortStr("system")
                .stackGlobal()
                .stop());
    Finding f = only(a, "pickle.unresolvable-import");
    assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
    assertThat(f.subject()).contains("result of builtins.str");
  }

  @Test
  void analyze_instOpcode_importAndCall() {
    PickleAnalysis a = analyze(pickle().mark().string0("id").inst("os", "system").stop());
    assertDangerous(a, "os.system");
    assertThat(a.calls()).extracting(PickleCall::opcode).containsExactly("INST");
  }

  @Test
  void analyze_objOpcode_callOnClassSinceMark() {
    PickleAnalysis a =
        analyze(pickle().mark().global("subprocess", "Popen").str("id").op('o').stop());
    assertDangerous(a, "subprocess.Popen");
    assertThat(a.calls()).extracting(PickleCall::opcode).containsExactly("OBJ");
  }

  @Test
  void analyze_newobjAndNewobjEx_callSites() {
    PickleAnalysis a =
        analyze(
            pickle()
                .proto(4)
                .global("collections", "OrderedDict")
                .emptyTuple()
                .op(0x81)
                .global("collections", "OrderedDict")
                .emptyTuple()
                .op('}')
                .op(0x92)
                .tuple2()
                .stop());
    assertThat(a.findings()).isEmpty();
    assertThat(a.calls()).extracting(PickleCall::opcode).containsExactly("NEWOBJ", "NEWOBJ_EX");
  }

  @Test
  void analyze_extensionCodes_unresolvable() {
    for (PickleBuilder ext :
        List.of(
            pickle().proto(2).op(0x82).op(1),
            pickle().proto(2).op(0x83).le(513, 2),
            pickle().proto(2).op(0x84).le(70000, 4))) {
      PickleAnalysis a = analyze(ext.str("x").tuple1().reduce().stop());
      assertThat(only(a, "pickle.unresolvable-import").subject()).startsWith("extension code");
    }
  }

  @Test
  void analyze_buildOnAllowlistedClass_flagged() {
    // Patching a class that is itself allowed: BUILD on the class object, not an instance.
    PickleAnalysis a =
        analyze(
            pickle()
                .proto(2)
                .global("collections", "OrderedDict")
                .op('}')
                .str("__reduce__")
                .str("x")
                .op('s')
                .build()
                .stop());
    Finding f = only(a, "pickle.build-on-import");
    assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
    assertThat(f.subject()).isEqualTo("collections.OrderedDict");
  }

  @Test
  void analyze_buildOnInstance_isOrdinarySetstate() {
    PickleAnalysis a =
        analyze(
            pickle()
                .proto(2)
                .global("collections", "OrderedDict")
                .emptyTuple()
                .reduce()
                .op('}')
                .build()
                .stop());
    assertThat(a.findings()).isEmpty();
    assertThat(a.calls()).extracting(PickleCall::opcode).containsExactly("REDUCE", "BUILD");
  }

  @Test
  void analyze_setitemOnImportedDict_mutatesImport() {
    // sys.modules['x'] = ... : overriding a module entry.
    PickleAnalysis a =
        analyze(pickle().proto(2).global("sys", "modules").str("torch").str("x").op('s').stop());
    assertThat(only(a, "pickle.mutates-import").severity()).isEqualTo(Severity.CRITICAL);
  }

  @Test
  void analyze_appendsToImportedList_mutatesImport() {
    PickleAnalysis a =
        analyze(
            pickle()
                .proto(2)
                .global("torch.serialization", "_package_registry")
                .mark()
                .str("x")
                .op('e')
                .stop());
    assertThat(rules(a)).contains("pickle.mutates-import", "pickle.non-allowlisted-import");
  }

  @Test
  void analyze_callOnCallResult_indirectCall() {
    PickleAnalysis a =
        analyze(
            pickle()
                .proto(2)
                .global("collections", "OrderedDict")
                .emptyTuple()
                .reduce()
                .emptyTuple()
                .reduce()
                .stop());
    assertThat(only(a, "pickle.indirect-call").severity()).isEqualTo(Severity.HIGH);
  }

  @Test
  void analyze_persistentIds_noFinding() {
    PickleAnalysis a =
        analyze(
            pickle()
                .proto(2)
                .op('P')
                .raw("storage0\n")
                .mark()
                .str("storage")
                .global("torch", "FloatStorage")
                .str("0")
                .op('t')
                .op('Q')
                .tuple2()
                .stop());
    assertThat(a.findings()).isEmpty();
    assertThat(a.complete()).isTrue();
  }

  @Test
  void analyze_stateDictShape_clean() {
    // OrderedDict + _rebuild_tensor_v2(persistent storage, ...) as torch.save writes it.
    PickleBuilder b =
        pickle()
            .proto(2)
            .global("collections", "OrderedDict")
            .binput(0)
            .emptyTuple()
            .reduce()
            .binput(1)
            .mark()
            .str("w")
            .global("torch._utils", "_rebuild_tensor_v2")
            .binput(2)
            .mark()
            .mark()
            .str("storage")
            .global("torch", "FloatStorage")
            .str("0")
            .str("cpu")
            .binint1(6)
            .op('t')
            .op('Q')
            .binint1(0)
            .binint1(2)
            .binint1(3)
            .tuple2()
            .binint1(3)
            .binint1(1)
            .tuple2()
            .op(0x89)
            .binget(0)
            .emptyTuple()
            .reduce()
            .op('t')
            .reduce()
            .op('u')
            .stop();
    PickleAnalysis a = analyze(b);
    assertThat(a.findings()).isEmpty();
    assertThat(a.complete()).isTrue();
  }

  @Test
  void analyze_codecsEncodedBytesToPickleLoads_nestedPickleScanned() {
    // Protocol 2 pickles bytes as _codecs.encode(str, 'latin1'): the nested pickle is decoded.
    String inner =
        new String(
            call("os", "system", "id").toBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
    PickleAnalysis a =
        analyze(
            pickle()
                .proto(2)
                .global("pickle", "loads")
                .global("_codecs", "encode")
                .str(inner)
                .str("latin1")
                .tuple2()
                .reduce()
                .tuple1()
                .reduce()
                .stop());
    assertDangerous(a, "pickle.loads");
    assertDangerous(a, "os.system");
    assertThat(a.findings())
        .filteredOn(f -> f.subject().equals("os.system"))
        .first()
        .extracting(Finding::location)
        .asString()
        .contains("pickle passed to pickle.loads (depth 1)");
  }

  @Test
  void analyze_nestedTooDeep_limitFindingAndIncomplete() {
    byte[] p = call("os", "system", "id").toBytes();
    for (int i = 0; i < 4; i++) {
      p = pickle().proto(4).global("_pickle", "loads").bytes(p).tuple1().reduce().stop().toBytes();
    }
    PickleEmulator shallow =
        new PickleEmulator(
            ParseLimits.builder().maxPickleDepth(2).build(), PicklePolicy.defaults());
    PickleAnalysis a = shallow.analyze(MemorySegment.ofArray(p), "");
    assertThat(rules(a)).contains("limit.max-pickle-depth");
    assertThat(a.complete()).isFalse();
    // Unbounded depth reaches the payload at the bottom.
    assertDangerous(analyze(p), "os.system");
  }

  @Test
  void analyze_memoisedPickleLoadedManyTimes_scannedOnce() {
    PickleBuilder b =
        pickle()
            .proto(4)
            .global("pickle", "loads")
            .memoize()
            .bytes(call("os", "system", "id").toBytes())
            .memoize();
    b.op('0').op('0');
    for (int i = 0; i < 50; i++) {
      b.binget(0).binget(1).tuple1().reduce().op('0');
    }
    PickleAnalysis a = analyze(b.op('N').stop());
    assertDangerous(a, "os.system");
    assertThat(a.streams()).isEqualTo(2);
  }

  @Test
  void analyze_bytesBuiltBeyondBudget_notMaterialisedAndLimitReported() {
    // 69 copies of a memoised 1 MB string through _codecs.encode use up the budget (64 MiB plus
    // the input size); the nested pickle after them is then too large to queue.
    PickleBuilder b = pickle().proto(4).str("x".repeat(1_000_000)).memoize().op('0');
    for (int i = 0; i < 69; i++) {
      b.global("_codecs", "encode").binget(0).str("latin1").tuple2().reduce().op('0');
    }
    byte[] big = new byte[1_500_000];
    byte[] payload = call("os", "system", "id").toBytes();
    System.arraycopy(payload, 0, big, 0, payload.length);
    b.global("pickle", "loads").bytes(big).tuple1().reduce().stop();
    PickleAnalysis a = analyze(b);
    assertThat(rules(a)).contains("limit.nested-pickle-bytes");
    assertThat(a.complete()).isFalse();
  }

  @Test
  void analyze_loadsOfNonLiteral_nestedUnresolvable() {
    PickleAnalysis a =
        analyze(
            pickle()
                .proto(2)
                .global("pickle", "loads")
                .global("builtins", "bytes")
                .emptyTuple()
                .reduce()
                .tuple1()
                .reduce()
                .stop());
    assertThat(only(a, "pickle.nested-pickle-unresolvable").severity())
        .isEqualTo(Severity.CRITICAL);
    assertThat(a.complete()).isFalse();
  }

  // ---- streams -----------------------------------------------------------------------------

  @Test
  void analyze_secondPickleAfterStop_scanned() {
    byte[] first = pickle().proto(2).op('}').stop().toBytes();
    byte[] second = call("os", "system", "id").toBytes();
    PickleAnalysis a = analyze(concat(first, second));
    assertDangerous(a, "os.system");
    assertThat(only(a, "pickle.multiple-streams").severity()).isEqualTo(Severity.LOW);
    assertThat(a.streams()).isEqualTo(2);
  }

  @Test
  void analyze_junkAfterStop_finding() {
    PickleAnalysis a = analyze(pickle().proto(2).op('N').stop().raw(new byte[] {0, 1, 2}));
    Finding f = only(a, "pickle.data-after-stop");
    assertThat(f.severity()).isEqualTo(Severity.MEDIUM);
    assertThat(f.location()).isEqualTo("offset 4");
    assertThat(a.complete()).isTrue();
  }

  @Test
  void analyze_brokenPickleAfterStop_importsStillReported() {
    byte[] broken = pickle().proto(2).global("os", "system").toBytes(); // no STOP
    PickleAnalysis a = analyze(concat(pickle().op('N').stop().toBytes(), broken));
    assertThat(rules(a)).contains("pickle.data-after-stop");
    assertDangerous(a, "os.system");
  }

  @Test
  void analyze_legacyTorchMagic_fivePicklesThenData() {
    PickleBuilder b = pickle();
    b.proto(2)
        .op(0x8a)
        .op(10)
        .raw(
            new byte[] {
              0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19
            })
        .stop();
    b.proto(2).op('M').le(1001, 2).stop();
    b.proto(2).op('}').stop();
    b.proto(2).op('}').stop();
    b.proto(2).op(']').stop();
    b.raw(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9}); // raw storage bytes: not junk
    PickleAnalysis a = analyze(b);
    assertThat(a.legacyTorch()).isTrue();
    assertThat(a.findings()).isEmpty();
    assertThat(a.streams()).isEqualTo(5);
  }

  @Test
  void analyze_legacyTorchWithMissingPickles_truncated() {
    PickleBuilder b = pickle();
    b.proto(2)
        .op(0x8a)
        .op(10)
        .raw(
            new byte[] {
              0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19
            })
        .stop();
    assertMalformed(analyze(b), "pickle.truncated");
  }

  // ---- frames ------------------------------------------------------------------------------

  @Test
  void analyze_importInsideFrame_found() {
    byte[] body = pickle().global("os", "system").str("id").tuple1().reduce().stop().toBytes();
    PickleAnalysis a = analyze(pickle().proto(4).frame(body.length).raw(body));
    assertDangerous(a, "os.system");
    assertThat(a.findings()).extracting(Finding::rule).doesNotContain("pickle.frame-mismatch");
  }

  @Test
  void analyze_frameShorterThanItsOpcodes_parsedOnAndReported() {
    // The C unpickler does not confine opcodes to frames; a scanner that stops at the frame's end
    // misses the payload behind it.
    byte[] body = pickle().global("os", "system").str("id").tuple1().reduce().stop().toBytes();
    PickleAnalysis a = analyze(pickle().proto(4).frame(3).raw(body));
    assertDangerous(a, "os.system");
    assertThat(only(a, "pickle.frame-mismatch").severity()).isEqualTo(Severity.MEDIUM);
  }

  @Test
  void analyze_frameLongerThanData_truncated() {
    assertMalformed(analyze(pickle().proto(4).frame(1000).op('N').stop()), "pickle.truncated");
  }

  @Test
  void analyze_frameInsideFrame_reported() {
    PickleAnalysis a =
        analyze(pickle().proto(4).frame(20).frame(2).op('N').stop().raw(new byte[10]));
    assertThat(rules(a)).contains("pickle.frame-mismatch");
  }

  // ---- marks and fence ---------------------------------------------------------------------

  @Test
  void analyze_popBelowMark_stackUnderflow() {
    // _pickle.c fences the stack at the newest mark: REDUCE cannot reach the callable below it.
    assertMalformed(
        analyze(pickle().global("os", "system").mark().str("x").tuple1().reduce().stop()),
        "pickle.stack-underflow");
  }

  @Test
  void analyze_popOnMark_popsTheMark() {
    PickleAnalysis a = analyze(pickle().op('N').mark().op('0').stop());
    assertThat(a.complete()).isTrue();
  }

  @Test
  void analyze_everyProtocol0And1Opcode_parsed() {
    PickleBuilder b =
        pickle()
            .mark()
            .op('I')
            .raw("01\n")
            .op('I')
            .raw("-42\n")
            .op('L')
            .raw("123L\n")
            .op('F')
            .raw("1.5e3\n")
            .op('J')
            .le(-5, 4)
            .op('M')
            .le(65535, 2)
            .op('G')
            .le(0, 8)
            .op('T')
            .le(2, 4)
            .raw("ab")
            .op('U')
            .op(1)
            .raw("c")
            .op('X')
            .le(1, 4)
            .raw("d")
            .op('N')
            .op('2')
            .op('l')
            .op('p')
            .raw("3\n")
            .op('g')
            .raw("3\n")
            .op('j')
            .le(3, 4)
            .op('r')
            .le(4, 4)
            .mark()
            .op('N')
            .op('1')
            .op(']')
            .mark()
            .op('N')
            .op('e')
            .mark()
            .op('N')
            .op('N')
            .op('d')
            .op('a')
            .op(')')
            .op('0')
            .stop();
    PickleAnalysis a = analyze(b);
    assertThat(a.findings()).isEmpty();
    assertThat(a.complete()).isTrue();
  }

  @Test
  void analyze_everyProtocol2To5Opcode_parsed() {
    PickleBuilder b =
        pickle()
            .proto(5)
            .op(0x88)
            .op(0x89)
            .op(0x8a)
            .op(2)
            .le(0x1234, 2)
            .op(0x8b)
            .le(1, 4)
            .op(7)
            .op(0x87)
            .op(0x85)
            .op('C')
            .op(1)
            .raw("x")
            .op(0x8e)
            .le(1, 8)
            .raw("y")
            .op(0x96)
            .le(1, 8)
            .raw("z")
            .op(0x8d)
            .le(1, 8)
            .raw("w")
            .op(0x8f)
            .mark()
            .op('K')
            .op(1)
            .op(0x90)
            .mark()
            .op(0x91)
            .op(0x97)
            .op(0x98)
            .op(0x94)
            .mark()
            .op('t')
            .op('}')
            .mark()
            .op('N')
            .op('N')
            .op('u')
            .stop();
    PickleAnalysis a = analyze(b);
    assertThat(a.findings()).isEmpty();
    assertThat(a.complete()).isTrue();
  }

  // ---- every reject rule -------------------------------------------------------------------

  @Test
  void analyze_unknownOpcode_rejected() {
    assertMalformed(analyze(pickle().proto(2).op(0xff).stop()), "pickle.unknown-opcode");
  }

  @Test
  void analyze_noStop_truncated() {
    assertMalformed(analyze(pickle().proto(2).op('N')), "pickle.truncated");
  }

  @Test
  void analyze_empty_truncated() {
    assertMalformed(analyze(new byte[0]), "pickle.truncated");
  }

  @Test
  void analyze_operandPastEnd_truncated() {
    assertMalformed(analyze(pickle().op('X').le(100, 4).raw("ab")), "pickle.truncated");
  }

  @Test
  void analyze_lineWithoutNewline_truncated() {
    assertMalformed(analyze(pickle().op('c').raw("os")), "pickle.truncated");
  }

  @Test
  void analyze_popOnEmptyStack_underflow() {
    assertMalformed(analyze(pickle().op('0').stop()), "pickle.stack-underflow");
  }

  @Test
  void analyze_tupleWithoutMark_noMark() {
    assertMalformed(analyze(pickle().op('N').op('t').stop()), "pickle.no-mark");
  }

  @Test
  void analyze_getOfUnstoredKey_memoMissing() {
    assertMalformed(analyze(pickle().binget(9).stop()), "pickle.memo-missing");
  }

  @Test
  void analyze_unquotedString_badArgument() {
    assertMalformed(analyze(pickle().op('S').raw("abc\n").stop()), "pickle.bad-argument");
  }

  @Test
  void analyze_intNotANumber_badArgument() {
    assertMalformed(analyze(pickle().op('I').raw("x1\n").stop()), "pickle.bad-argument");
  }

  @Test
  void analyze_globalNotUtf8_badArgument() {
    assertMalformed(
        analyze(pickle().op('c').raw(new byte[] {(byte) 0xff, '\n', 'a', '\n'}).stop()),
        "pickle.bad-argument");
  }

  @Test
  void analyze_negativePut_badArgument() {
    assertMalformed(analyze(pickle().op('N').op('p').raw("-1\n").stop()), "pickle.bad-argument");
  }

  @Test
  void analyze_negativeBinstringLength_badLength() {
    assertMalformed(analyze(pickle().op('T').le(-1, 4).stop()), "pickle.bad-length");
  }

  @Test
  void analyze_negativeLong4Length_badLength() {
    assertMalformed(analyze(pickle().op(0x8b).le(-2, 4).stop()), "pickle.bad-length");
  }

  @Test
  void analyze_hugeBinunicode8Length_badLength() {
    assertMalformed(analyze(pickle().op(0x8d).le(-1, 8).stop()), "pickle.bad-length");
  }

  @Test
  void analyze_oddDictItems_rejected() {
    assertMalformed(analyze(pickle().mark().op('N').op('d').stop()), "pickle.odd-items");
    assertMalformed(analyze(pickle().op('}').mark().op('N').op('u').stop()), "pickle.odd-items");
  }

  @Test
  void analyze_protocolAbove5_unsupported() {
    assertMalformed(analyze(pickle().proto(6).op('N').stop()), "pickle.unsupported-protocol");
  }

  @Test
  void analyze_tooManyOpcodes_limit() {
    PickleEmulator small =
        new PickleEmulator(
            ParseLimits.builder().maxPickleOpcodes(10).build(), PicklePolicy.defaults());
    PickleBuilder b = pickle();
    for (int i = 0; i < 20; i++) {
      b.op('N').op('0');
    }
    PickleAnalysis a = small.analyze(b.stop().segment(), "");
    assertMalformed(a, "limit.max-pickle-opcodes");
  }

  @Test
  void analyze_tooManyMemoEntries_limit() {
    PickleEmulator small =
        new PickleEmulator(ParseLimits.builder().maxPickleMemo(3).build(), PicklePolicy.defaults());
    PickleBuilder b = pickle().op('N');
    for (int i = 0; i < 5; i++) {
      b.memoize();
    }
    assertMalformed(small.analyze(b.stop().segment(), ""), "limit.max-pickle-memo");
  }

  @Test
  void analyze_marksTooDeep_limit() {
    PickleEmulator small =
        new PickleEmulator(
            ParseLimits.builder().maxPickleDepth(5).build(), PicklePolicy.defaults());
    PickleBuilder b = pickle();
    for (int i = 0; i < 10; i++) {
      b.mark();
    }
    assertMalformed(small.analyze(b.stop().segment(), ""), "limit.max-pickle-depth");
  }

  @Test
  void analyze_manyDistinctImports_findingsCappedAndSaidSo() {
    PickleBuilder b = pickle().proto(2);
    for (int i = 0; i < PickleEmulator.MAX_FINDINGS + 5; i++) {
      b.global("m" + i, "f").op('0');
    }
    PickleAnalysis a = analyze(b.op('N').stop());
    assertThat(a.findings()).hasSize(PickleEmulator.MAX_FINDINGS + 1);
    assertThat(a.findings().getLast().rule()).isEqualTo("pickle.findings-truncated");
  }

  @Test
  void analyze_importBeforeMalformation_stillReported() {
    // The loader runs opcodes as it reads them: what came before the break still runs.
    PickleAnalysis a =
        analyze(pickle().proto(2).global("os", "system").str("id").tuple1().reduce().op(0xff));
    assertDangerous(a, "os.system");
    assertThat(a.complete()).isFalse();
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] r = new byte[a.length + b.length];
    System.arraycopy(a, 0, r, 0, a.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
