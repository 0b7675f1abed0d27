package dev.modelseal.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.modelseal.ModelSealException;
import dev.modelseal.guard.GuardException;
import dev.modelseal.guard.VerifiedCopy;
import dev.modelseal.oms.IdentityPolicy;
import dev.modelseal.oms.ModelDifference;
import dev.modelseal.oms.ModelVerifier;
import dev.modelseal.oms.SignerIdentity;
import dev.modelseal.oms.TrustPolicy;
import dev.modelseal.oms.VerificationException;
import dev.modelseal.oms.VerifiedModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code modelseal verify}: checks a model against its OMS signature. */
@Command(
    name = "verify",
    description = {
      "Verify a model folder or file against an OpenSSF Model Signing (OMS) signature.",
      "Give the signer's public key (key method), the CA certificates to trust (certificate"
          + " method), or a Sigstore trusted root and the signer's identity (keyless method)."
          + " Every missing, extra or changed file is reported."
    },
    footer = {
      "",
      "--json prints one object: {\"status\": \"verified\"|\"failed\"|\"error\", \"rule\": null|RULE,",
      "  \"messages\": [LINE...], \"model\", \"signature\", \"method\": \"key\"|\"certificate\"|\"sigstore\",",
      "  \"signer\": null|{\"type\": \"public-key\", \"key_hint\", \"curve\"}|{\"type\": \"certificate\",",
      "  \"subject\", \"issuer\", \"serial\", \"sha256_fingerprint\", \"not_after\", \"alternative_names\"}",
      "  |{\"type\": \"keyless\", \"identity\", \"issuer\", \"signing_time\", \"log_index\", \"log_url\",",
      "  \"certificate\": {...}},",
      "  \"legacy_format\": BOOL,",
      "  \"files\": N, \"resources\": N, \"root_digest\": \"sha256:HEX\"|null,",
      "  \"verified_resources\": [{\"name\", \"path\", \"start\"?, \"end\"?, \"algorithm\", \"digest\"}],",
      "  (the signed resources, in signature order; empty unless verified; start and end, the byte",
      "  range, only for the shards method; digest is lower-case hex),",
      "  \"differences\": [{\"kind\": \"missing\"|\"extra\"|\"changed\", \"name\", \"expected\", \"actual\"}]}",
      "Exit status: 0 verified, 1 verification failed, 2 could not run (usage, unreadable key or file)."
    })
final class VerifyCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin DebugOption debug;

  @Parameters(index = "0", paramLabel = "PATH", description = "Model folder or single file.")
  Path model;

  @Option(
      names = "--signature",
      required = true,
      paramLabel = "SIG",
      description = "The OMS bundle.")
  Path signature;

  @Option(
      names = "--public-key",
      paramLabel = "K.pub",
      description = "Signer's public key (key method).")
  Path publicKey;

  @Option(
      names = "--trust-anchor",
      paramLabel = "CA.pem",
      description = "Trusted CA certificate(s) (certificate method; repeatable).")
  List<Path> trustAnchors = new ArrayList<>();

  @Option(
      names = {"--trusted-root", "--trust-config"},
      paramLabel = "FILE",
      description =
          "Sigstore trusted_root.json or ClientTrustConfig (keyless method; needs --identity or"
              + " --identity-regex, and --identity-provider).")
  Path trustedRoot;

  @Option(
      names = "--identity",
      paramLabel = "SAN",
      description = "Keyless: the signer's identity (certificate SAN), exactly.")
  String identity;

  @Option(
      names = "--identity-regex",
      paramLabel = "RE",
      description = "Keyless: a pattern the whole signer identity must match.")
  String identityRegex;

  @Option(
      names = "--identity-provider",
      paramLabel = "URL",
      description = "Keyless: the OIDC issuer Fulcio recorded, exactly.")
  String identityProvider;

  @Option(
      names = "--certificate-identity",
      paramLabel = "NAME",
      description = "Certificate method: a SAN or the subject DN the leaf must carry, exactly.")
  String certificateIdentity;

  @Option(
      names = "--certificate-identity-regex",
      paramLabel = "RE",
      description = "Certificate method: a pattern a whole SAN or the subject DN must match.")
  String certificateIdentityRegex;

  @Option(
      names = "--ignore",
      paramLabel = "P",
      description =
          "Also ignore P: relative to the model root, or absolute inside it (repeatable).")
  List<String> ignore = new ArrayList<>();

  @Option(
      names = "--ignore-unsigned-files",
      description = "Tolerate files the signature does not list (signed files must still match).")
  boolean ignoreUnsignedFiles;

  @Option(
      names = "--allow-symlinks",
      description = "Accept signatures made following symbolic links inside the model.")
  boolean allowSymlinks;

  @Option(names = "--json", description = "Print the outcome as JSON on stdout.")
  boolean json;

  @Option(
      names = "--copy-to",
      paramLabel = "DIR",
      description =
          "Hash every file while copying it into a new folder DIR (must not exist), verify the"
              + " copy's bytes, then make it read-only and rename it into place in one step.")
  Path copyTo;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    int methods =
        (publicKey != null ? 1 : 0)
            + (trustAnchors.isEmpty() ? 0 : 1)
            + (trustedRoot != null ? 1 : 0);
    String problem =
        methods != 1
            ? "give one of --public-key, --trust-anchor or --trusted-root"
            : IdentityArguments.problem(
                trustedRoot != null,
                !trustAnchors.isEmpty(),
                identity,
                identityRegex,
                identityProvider,
                certificateIdentity,
                certificateIdentityRegex);
    if (problem != null) {
      return finish(err, ExitCode.CANNOT_RUN, "usage", List.of(problem), null, List.of(), null);
    }
    TrustOptions options =
        new TrustOptions(
            publicKey != null
                ? new TrustOptions.PublicKeyFile(publicKey)
                : trustedRoot != null
                    ? new TrustOptions.Sigstore(
                        trustedRoot, IdentityPolicy.of(identity, identityRegex, identityProvider))
                    : new TrustOptions.TrustAnchorFiles(
                        trustAnchors,
                        IdentityPolicy.of(certificateIdentity, certificateIdentityRegex, null)),
            new IgnoreArguments(ignore, IgnoreArguments.OutsideModel.REJECT),
            ignoreUnsignedFiles,
            allowSymlinks);
    TrustPolicy policy;
    try {
      policy = options.policy(model, err);
    } catch (ModelSealException e) {
      return failure(err, e);
    } catch (IOException e) {
      if (json) {
        return finish(
            err,
            ExitCode.CANNOT_RUN,
            "io",
            List.of(String.valueOf(e.getMessage())),
            null,
            List.of(),
            null);
      }
      return OmsOutcome.report(err, e, debug.debug);
    }
    OmsOutcome.Progress progress = OmsOutcome.progress(err, !json);
    try {
      VerifiedModel v =
          copyTo == null
              ? new ModelVerifier(policy).verify(model, signature, progress)
              : VerifiedCopy.copy(new ModelVerifier(policy), model, signature, copyTo, progress);
      progress.finish();
      return success(v, policy);
    } catch (VerificationException | GuardException e) {
      progress.finish();
      return failure(err, e);
    }
  }

  private int success(VerifiedModel v, TrustPolicy policy) {
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      ObjectNode o = base("verified", null, List.of(), policy.method().id());
      o.set("signer", signerJson(v.signer()));
      o.put("legacy_format", v.legacyFormat());
      o.put("files", v.fileCount());
      o.put("resources", v.manifest().resources().size());
      o.put("root_digest", v.rootDigest().toString());
      o.set("verified_resources", VerifiedResourcesJson.of(v.manifest()));
      print(o);
    } else {
      out.println("verified " + model);
      out.println("  signer: " + v.signer().describe());
      out.println(
          "  "
              + v.fileCount()
              + " files, "
              + v.manifest().resources().size()
              + " resources, root "
              + v.rootDigest());
      if (copyTo != null) {
        out.println("  copied to " + copyTo + " (read-only)");
      }
      if (v.legacyFormat()) {
        out.println(
            "  note: the signature is in the deprecated model-transparency 0.2 format; re-sign");
      }
      out.flush();
    }
    return ExitCode.OK;
  }

  private int failure(PrintWriter err, ModelSealException e) {
    int code =
        e instanceof GuardException && e.getCause() instanceof IOException
            ? ExitCode.CANNOT_RUN
            : OmsOutcome.exitCode(e);
    List<ModelDifference> diffs =
        e instanceof VerificationException v ? v.differences() : List.of();
    return finish(err, code, e.rule(), List.of(e.getMessage().split("\n", -1)), e, diffs, null);
  }

  private int finish(
      PrintWriter err,
      int code,
      String rule,
      List<String> lines,
      Exception e,
      List<ModelDifference> diffs,
      String method) {
    for (String l : lines) {
      err.println("modelseal: " + l);
    }
    if (debug.debug && e != null) {
      e.printStackTrace(err);
    }
    err.flush();
    if (json) {
      ObjectNode o = base(code == ExitCode.CHECK_FAILED ? "failed" : "error", rule, lines, method);
      o.putNull("signer");
      o.putNull("root_digest");
      ArrayNode d = o.putArray("differences");
      for (ModelDifference x : diffs) {
        ObjectNode n = d.addObject();
        n.put("kind", x.kind().id());
        n.put("name", x.name());
        n.put("expected", x.expected().map(Object::toString).orElse(null));
        n.put("actual", x.actual().map(Object::toString).orElse(null));
      }
      print(o);
    }
    return code;
  }

  private ObjectNode base(String status, String rule, List<String> messages, String method) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("status", status);
    o.put("rule", rule);
    ArrayNode m = o.putArray("messages");
    messages.forEach(m::add);
    o.put("model", model.toString());
    o.put("signature", signature.toString());
    o.put(
        "method",
        method != null
            ? method
            : publicKey != null ? "key" : trustedRoot != null ? "sigstore" : "certificate");
    if (!o.has("differences")) {
      o.putArray("differences");
    }
    o.put("legacy_format", false);
    o.put("files", 0);
    o.put("resources", 0);
    o.putArray("verified_resources");
    return o;
  }

  private static ObjectNode signerJson(SignerIdentity s) {
    ObjectNode n = MAPPER.createObjectNode();
    switch (s) {
      case SignerIdentity.PublicKeySigner k -> {
        n.put("type", "public-key");
        n.put("key_hint", k.keyHint());
        n.put("curve", k.curve().name());
      }
      case SignerIdentity.KeylessSigner k -> {
        n.put("type", "keyless");
        n.put("identity", k.identity());
        n.put("issuer", k.issuer());
        n.put("signing_time", k.signingTime().toString());
        n.put("log_index", k.logIndex());
        n.put("log_url", k.logUrl());
        n.set("certificate", signerJson(k.certificate()));
      }
      case SignerIdentity.CertificateSigner c -> {
        n.put("type", "certificate");
        n.put("subject", c.subject());
        n.put("issuer", c.issuer());
        n.put("serial", c.serialNumber());
        n.put("sha256_fingerprint", c.sha256Fingerprint());
        n.put("not_after", c.notAfter().toString());
        ArrayNode names = n.putArray("alternative_names");
        c.alternativeNames().forEach(names::add);
      }
    }
    return n;
  }

  private void print(ObjectNode o) {
    PrintWriter out = spec.commandLine().getOut();
    try {
      out.println(MAPPER.writeValueAsString(o));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("writing JSON to memory", e);
    }
    out.flush();
  }

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
}
