package dev.modelseal.cli;

import dev.modelseal.oms.IdentityPolicy;

/** The identity flags of {@code verify} and {@code oms verify-model}: which go together. */
final class IdentityArguments {
  private IdentityArguments() {}

  /** The usage problem with this combination, or null when it is fine. */
  static String problem(
      boolean keyless,
      boolean certificate,
      String identity,
      String identityRegex,
      String identityProvider,
      String certificateIdentity,
      String certificateIdentityRegex) {
    if (keyless) {
      if ((identity == null) == (identityRegex == null)) {
        return "keyless verification needs exactly one of --identity or --identity-regex";
      }
      if (identityProvider == null) {
        return "keyless verification needs --identity-provider (the OIDC issuer)";
      }
    } else if (identity != null || identityRegex != null || identityProvider != null) {
      return "--identity, --identity-regex and --identity-provider apply to keyless"
          + " verification (--trusted-root)";
    }
    if (certificateIdentity != null && certificateIdentityRegex != null) {
      return "give --certificate-identity or --certificate-identity-regex, not both";
    }
    if (!certificate && (certificateIdentity != null || certificateIdentityRegex != null)) {
      return "--certificate-identity applies to the certificate method (--trust-anchor)";
    }
    try {
      IdentityPolicy.of(null, keyless ? identityRegex : certificateIdentityRegex, null);
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    return null;
  }
}
