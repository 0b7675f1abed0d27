/**
 * OpenSSF Model Signing (OMS) v1.0: sign models as Sigstore bundles and verify them.
 *
 * <p>Signing: {@link dev.modelseal.oms.KeyFiles#readPrivateKey} (or {@link
 * dev.modelseal.oms.SigningKey#generate} plus {@link dev.modelseal.oms.KeyFiles#writeKeyPair}),
 * then {@code ModelSigner.builder(key)[.certificate(leaf, intermediates)].build().sign(model,
 * signatureFile)}.
 *
 * <p>Verification: build a {@link dev.modelseal.oms.TrustPolicy} once ({@code publicKey(key)},
 * {@code trustAnchors(cas)} or {@code sigstore()}, plus explicit relaxations), make a {@link
 * dev.modelseal.oms.ModelVerifier} from it, and call {@code verify(model, bundle)}: it returns a
 * {@link dev.modelseal.oms.VerifiedModel} or throws a {@link
 * dev.modelseal.oms.VerificationException} whose {@code rule()} names the failed check:
 *
 * <ul>
 *   <li>bundle: {@code oms.bundle-malformed}, {@code oms.media-type}, {@code oms.payload-type},
 *       {@code oms.signature-count}, {@code oms.method-mismatch}, {@code oms.tlog-unsupported},
 *       {@code oms.tlog-entries-missing}, {@code limit.max-bundle-bytes}, {@code oms.io-error}
 *   <li>trust: {@code oms.key-mismatch}, {@code oms.key-unsupported}, {@code
 *       oms.cert-chain-invalid}, {@code oms.cert-expired}, {@code oms.cert-key-usage}, {@code
 *       oms.signature-invalid}, {@code oms.keyless-trust-not-configured}
 *   <li>statement: {@code oms.statement-malformed}, {@code oms.statement-type}, {@code
 *       oms.predicate-type}, {@code oms.subject-count}, {@code oms.root-digest-mismatch}, {@code
 *       oms.serialization-unsupported}, {@code oms.hash-unsupported}, {@code
 *       oms.ignore-path-invalid}, {@code oms.resources-empty}, {@code oms.resource-name-invalid},
 *       {@code oms.resource-duplicate}, {@code oms.resource-algorithm}, {@code oms.digest-invalid},
 *       {@code oms.symlinks-not-allowed}
 *   <li>model: {@code oms.model-mismatch} (every missing, extra and changed resource in {@code
 *       differences()}), and the enumeration rules of {@code dev.modelseal.manifest} ({@code
 *       tree.*}, {@code file.changed})
 * </ul>
 *
 * <p>Key material problems are {@link dev.modelseal.oms.KeyException}s ({@code key.*}, {@code
 * cert.*}); an empty model is {@link dev.modelseal.oms.SigningException} {@code
 * oms.nothing-to-sign}.
 */
package dev.modelseal.oms;
