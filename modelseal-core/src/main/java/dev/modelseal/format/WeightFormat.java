package dev.modelseal.format;

/** The weight-file formats ModelSeal reads, named as they appear in JSON output. */
public enum WeightFormat {
  SAFETENSORS("safetensors"),
  NPY("npy"),
  NPZ("npz"),
  GGUF("gguf");

  private final String id;

  WeightFormat(String id) {
    this.id = id;
  }

  /** Lower-case name used in JSON and messages. */
  public String id() {
    return id;
  }
}
