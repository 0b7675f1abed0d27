package dev.modelseal.scan;

import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.util.List;

/**
 * A value on the emulated unpickler's stack. Only what matters for the analysis is modelled:
 * literal strings and bytes (import operands, nested pickles), integers (PyTorch's legacy magic
 * number), tuples (call arguments), imported globals and the results of calls; everything else is
 * an opaque placeholder.
 */
sealed interface PickleValue {
  /** A text string. */
  record Str(String value) implements PickleValue {}

  /** Bytes, kept as a view of the scanned data (never copied). */
  record Bytes(MemorySegment value) implements PickleValue {}

  /** An integer small enough to be worth keeping. */
  record Num(BigInteger value) implements PickleValue {}

  /** A tuple; its items are known. */
  record Tuple(List<PickleValue> items) implements PickleValue {}

  /** Something whose content does not matter here: float, bool, None, list, dict, set, ... */
  record Opaque(String type) implements PickleValue {}

  /** A global fetched by {@code find_class}: a module, class or function object. */
  record Global(PickleImport ref, long offset) implements PickleValue {}

  /** A global whose name could not be resolved statically. */
  record UnresolvedGlobal(String why, long offset) implements PickleValue {}

  /** What a call returned. */
  record Result(String of, long offset) implements PickleValue {}

  /** What the loader's {@code persistent_load} returns for an id. */
  record Persistent(PickleValue id) implements PickleValue {}

  /** Short description for messages. */
  static String describe(PickleValue v) {
    return switch (v) {
      case Str s -> "string '" + Text.oneLine(s.value()) + "'";
      case Bytes b -> "bytes (" + b.value().byteSize() + ")";
      case Num n -> "int " + n.value();
      case Tuple t -> "tuple (" + t.items().size() + ")";
      case Opaque o -> o.type();
      case Global g -> g.ref().toString();
      case UnresolvedGlobal u -> "unresolved global (" + u.why() + ")";
      case Result r -> "result of " + r.of() + "(...)";
      case Persistent p -> "persistent object " + describe(p.id());
    };
  }
}
