package dev.modelseal.scan;

/**
 * A call the pickle makes when loaded: {@code REDUCE}, {@code NEWOBJ}, {@code NEWOBJ_EX}, {@code
 * OBJ}, {@code INST} call their target; {@code BUILD} calls the target's {@code __setstate__} (or
 * sets its attributes).
 *
 * @param opcode the opcode's pickletools name
 * @param target what is called, e.g. {@code torch._utils._rebuild_tensor_v2}, or a description such
 *     as {@code result of os.system(...)}
 * @param offset the opcode's byte offset in the scanned bytes
 */
public record PickleCall(String opcode, String target, long offset) {}
