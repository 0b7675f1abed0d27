package dev.modelseal.scan;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Assembles pickle opcodes by hand, so tests can write streams no pickler would. */
final class PickleBuilder {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  static PickleBuilder pickle() {
    return new PickleBuilder();
  }

  PickleBuilder op(int opcode) {
    out.write(opcode);
    return this;
  }

  PickleBuilder raw(byte[] b) {
    out.writeBytes(b);
    return this;
  }

  PickleBuilder raw(String ascii) {
    return raw(ascii.getBytes(StandardCharsets.ISO_8859_1));
  }

  PickleBuilder le(long v, int bytes) {
    ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
    out.write(b.array(), 0, bytes);
    return this;
  }

  PickleBuilder proto(int p) {
    return op(0x80).op(p);
  }

  PickleBuilder mark() {
    return op('(');
  }

  PickleBuilder stop() {
    return op('.');
  }

  PickleBuilder global(String module, String name) {
    return op('c').raw(module + "\n" + name + "\n");
  }

  PickleBuilder inst(String module, String name) {
    return op('i').raw(module + "\n" + name + "\n");
  }

  /** BINUNICODE. */
  PickleBuilder str(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return op('X').le(b.length, 4).raw(b);
  }

  /** SHORT_BINUNICODE. */
  PickleBuilder shortStr(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return op(0x8c).op(b.length).raw(b);
  }

  /** Protocol-0 STRING: {@code quoted} is written as is between single quotes. */
  PickleBuilder string0(String quoted) {
    return op('S').raw("'" + quoted + "'\n");
  }

  /** Protocol-0 UNICODE (raw-unicode-escape). */
  PickleBuilder unicode0(String escaped) {
    return op('V').raw(escaped + "\n");
  }

  PickleBuilder bytes(byte[] b) {
    return op('B').le(b.length, 4).raw(b);
  }

  PickleBuilder binint1(int v) {
    return op('K').op(v);
  }

  PickleBuilder stackGlobal() {
    return op(0x93);
  }

  PickleBuilder memoize() {
    return op(0x94);
  }

  PickleBuilder binput(int i) {
    return op('q').op(i);
  }

  PickleBuilder binget(int i) {
    return op('h').op(i);
  }

  PickleBuilder tuple1() {
    return op(0x85);
  }

  PickleBuilder tuple2() {
    return op(0x86);
  }

  PickleBuilder emptyTuple() {
    return op(')');
  }

  PickleBuilder reduce() {
    return op('R');
  }

  PickleBuilder build() {
    return op('b');
  }

  PickleBuilder frame(long length) {
    return op(0x95).le(length, 8);
  }

  int size() {
    return out.size();
  }

  byte[] toBytes() {
    return out.toByteArray();
  }

  MemorySegment segment() {
    return MemorySegment.ofArray(toBytes());
  }

  /** {@code module.name(arg)} via GLOBAL, as most payloads do. */
  static PickleBuilder call(String module, String name, String arg) {
    return pickle().proto(2).global(module, name).str(arg).tuple1().reduce().stop();
  }
}
