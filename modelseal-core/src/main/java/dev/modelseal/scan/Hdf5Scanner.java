package dev.modelseal.scan;

/**
 * HDF5 files (legacy Keras {@code .h5} models, Keras v3 {@code model.weights.h5}), by magic. No
 * reader for them exists here: they are reported as not inspected for code, never as clean without
 * saying so. A legacy Keras file keeps its model config, Lambda layers included, inside.
 */
final class Hdf5Scanner implements ContentScanner {
  private static final byte[] HDF5 = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

  @Override
  public boolean identifies(Content c) {
    return c.startsWith(HDF5);
  }

  @Override
  public Outcome scan(Content c, ScanContext ctx) {
    // Inside a .keras archive the HDF5 member holds only weights; the config was scanned.
    boolean kerasWeights = c.container().equals("keras");
    ctx.findings()
        .add(
            "scan.format-not-inspected",
            kerasWeights ? Severity.INFO : Severity.LOW,
            c.where(),
            "hdf5",
            "HDF5 not scanned for embedded code by this component (legacy Keras files keep"
                + " their model config, Lambda layers included, inside)");
    return Outcome.skipped("hdf5", "HDF5 is not read by this component");
  }
}
