package dev.modelseal.cli;

import dev.modelseal.ModelSealException;
import dev.modelseal.oms.ModelSigner;
import dev.modelseal.oms.SignedModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code modelseal sign}: writes an OMS v1.0 signature (Sigstore bundle) for a model. */
@Command(
    name = "sign",
    description = {
      "Sign a model folder or file as an OpenSSF Model Signing (OMS) v1.0 bundle.",
      "Key method by default; certificate method with --certificate (and --chain)."
    })
final class SignCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin DebugOption debug;

  @Parameters(index = "0", paramLabel = "PATH", description = "Model folder or single file.")
  Path model;

  @Option(
      names = "--private-key",
      required = true,
      paramLabel = "K.pem",
      description = "EC private key (PKCS#8 or SEC1 PEM).")
  Path privateKey;

  @Option(
      names = "--password-file",
      paramLabel = "F",
      description = "Password of an encrypted private key (first line of F).")
  Path passwordFile;

  @Option(
      names = "--certificate",
      paramLabel = "C.pem",
      description = "Signing certificate for the private key (certificate method).")
  Path certificate;

  @Option(
      names = "--chain",
      paramLabel = "I.pem",
      description =
          "Intermediate certificates after the signing certificate, in order (repeatable).")
  List<Path> chain = new ArrayList<>();

  @Option(
      names = "--ignore",
      paramLabel = "P",
      description =
          "Path to leave unsigned: relative to the model root, or absolute inside it (repeatable).")
  List<String> ignore = new ArrayList<>();

  @Option(
      names = "--signature",
      paramLabel = "OUT",
      description = "Bundle to write (default PATH/model.sig for a folder, PATH.sig for a file).")
  Path signature;

  @Option(
      names = "--shard-size",
      paramLabel = "N",
      description = "Sign pieces of N bytes (shards method) instead of whole files.")
  Long shardSize;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    if (!chain.isEmpty() && certificate == null) {
      return OmsOutcome.usage(err, "--chain needs --certificate");
    }
    if (shardSize != null && shardSize <= 0) {
      return OmsOutcome.usage(err, "--shard-size must be a positive number of bytes");
    }
    SignerOptions signer =
        new SignerOptions(
            privateKey,
            passwordFile,
            certificate,
            chain,
            new IgnoreArguments(ignore, IgnoreArguments.OutsideModel.REJECT));
    return OmsOutcome.run(err, debug.debug, () -> sign(signer, err));
  }

  private int sign(SignerOptions signer, PrintWriter err) throws IOException, ModelSealException {
    ModelSigner.Builder b = signer.builder(model, err);
    if (shardSize != null) {
      b.shardSize(shardSize);
    }
    Path out = signature != null ? signature : defaultSignature(model);
    OmsOutcome.Progress progress = OmsOutcome.progress(err, true);
    SignedModel signed;
    try {
      signed = b.progress(progress).build().sign(model, out);
    } finally {
      progress.finish();
    }
    var o = spec.commandLine().getOut();
    o.println(
        "signed "
            + model
            + ": "
            + signed.manifest().resources().size()
            + " resources, root "
            + signed.rootDigest()
            + " ("
            + signed.method().id()
            + " method)");
    o.println("signature " + signed.signature());
    o.flush();
    return ExitCode.OK;
  }

  /** {@code PATH/model.sig} for a folder, {@code PATH.sig} beside a single file. */
  static Path defaultSignature(Path model) {
    if (Files.isDirectory(model, LinkOption.NOFOLLOW_LINKS)) {
      return model.resolve("model.sig");
    }
    Path name = model.getFileName();
    return model.resolveSibling((name == null ? "model" : name.toString()) + ".sig");
  }
}
