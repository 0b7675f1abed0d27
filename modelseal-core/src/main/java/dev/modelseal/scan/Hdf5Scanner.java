package dev.modelseal.scan;

/**
 * HDF5 files (legacy Keras {@code .h5} models, Keras v3 {@code model.weights.h5}), by magic: at
 * offset 0 or, after a user block, at 512, 1024, 2048, ... as the HDF5 format allows, whatever the
 * file is called. No reader for them exists here. A legacy Keras file keeps its model config,
 * Lambda layers included, inside, and Keras runs them even in safe mode (CVE-2025-9905): so a
 * standalone HDF5 file is a high finding, never clean. Inside a {@code .keras} archive the HDF5
 * member holds only weights (its config was scanned) and is reported as information.
 */
final class Hdf5Scanner implements ContentScanner {
  private static final byte[] HDF5 = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

  @Override
  public boolean identifies(Content c) {
    return signatureOffset(c) >= 0;
  }

  /** Where the HDF5 superblock signature is (0, 512, 1024, 2048, ...), or -1. */
  static long signatureOffset(Content c) {
    for (long at = 0; at <= c.size() - HDF5.length; at = at == 0 ? 512 : at * 2) {
      if (matches(c, at)) {
        return at;
      }
      if (at > Long.MAX_VALUE / 4) {
        break;
      }
    }
    return -1;
  }

  private static boolean matches(Content c, long at) {
    for (int i = 0; i < HDF5.length; i++) {
      if (c.byteAt(at + i) != (HDF5[i] & 0xff)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public Outcome scan(Content c, ScanContext ctx) {
    long at = signatureOffset(c);
    if (c.container().equals("keras")) {
      ctx.findings()
          .add(
              "scan.format-not-inspected",
              Severity.INFO,
              c.where(),
              "hdf5",
              "HDF5 weights inside a .keras archive: not read by this component (the archive's"
                  + " config.json was scanned)");
      return Outcome.skipped("hdf5", "HDF5 is not read by this component");
    }
    ctx.findings()
        .add(
            "keras.hdf5-uninspectable",
            Severity.HIGH,
            Findings.at(c.where(), at == 0 ? "" : "offset " + at),
            "hdf5",
            "HDF5 file cannot be inspected and may run code: a legacy Keras model keeps its"
                + " config, Lambda layers included, inside, and Keras runs them when loading it"
                + " (CVE-2025-9905)");
    if (at == 0) {
      return Outcome.skipped("hdf5", "HDF5 cannot be inspected by this component");
    }
    // The user block before the superblock is free-form: whatever reads the front of the file
    // (pickle.load, torch.load) sees that content. Scan it as that too.
    Outcome front = ctx.dispatchExcept(c, Hdf5Scanner.class);
    return new Outcome(
        front.kind() + "+hdf5",
        front.status() == FileStatus.FAILED ? FileStatus.FAILED : FileStatus.SKIPPED,
        front.status() == FileStatus.FAILED
            ? front.reason()
            : "HDF5 cannot be inspected by this component");
  }
}
