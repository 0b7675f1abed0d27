package dev.modelseal.cli;

import dev.modelseal.oms.KeyException;
import dev.modelseal.oms.KeyFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * Certificate files given as a list: a signing certificate's intermediates ({@code sign --chain},
 * {@code oms sign-model --cert-chain}) or the CAs to trust ({@code verify --trust-anchor}, {@code
 * oms verify-model --cert-chain}).
 */
final class CertificateFiles {
  private CertificateFiles() {}

  /** Every certificate of every file, in the order given. */
  static List<X509Certificate> readAll(List<Path> files) throws IOException, KeyException {
    List<X509Certificate> out = new ArrayList<>();
    for (Path p : files) {
      out.addAll(KeyFiles.readCertificates(p));
    }
    return out;
  }
}
