package dev.modelseal.oms;

import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1String;

/**
 * Who must have signed: the signing certificate's identity (a subject alternative name, exactly or
 * by a regular expression matched against the whole name) and, for keyless certificates, the OIDC
 * issuer Fulcio recorded. Keyless verification requires both; the certificate method takes an
 * optional identity, matched against the SANs and the subject DN.
 *
 * @param identity the exact identity, or empty
 * @param identityRegex an identity pattern that must match a whole name, or empty
 * @param issuer the exact OIDC issuer (keyless only), or empty
 */
public record IdentityPolicy(
    Optional<String> identity, Optional<Pattern> identityRegex, Optional<String> issuer) {

  /** Fulcio's OIDC issuer extension before 2023: the raw issuer URL as the extension value. */
  static final String ISSUER_V1 = "1.3.6.1.4.1.57264.1.1";

  /** Fulcio's OIDC issuer extension since: a DER UTF8String. */
  static final String ISSUER_V2 = "1.3.6.1.4.1.57264.1.8";

  public IdentityPolicy {
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(identityRegex, "identityRegex");
    Objects.requireNonNull(issuer, "issuer");
    if (identity.isPresent() && identityRegex.isPresent()) {
      throw new IllegalArgumentException("give an identity or an identity pattern, not both");
    }
  }

  /** No identity constraint (the certificate method without an identity). */
  public static IdentityPolicy any() {
    return new IdentityPolicy(Optional.empty(), Optional.empty(), Optional.empty());
  }

  /**
   * An exact identity or a pattern (exactly one non-null) and an optional issuer.
   *
   * @throws IllegalArgumentException when the pattern is not a valid regular expression
   */
  public static IdentityPolicy of(String identity, String identityRegex, String issuer) {
    Optional<Pattern> p = Optional.empty();
    if (identityRegex != null) {
      try {
        p = Optional.of(Pattern.compile(identityRegex));
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(
            "the identity pattern is not a valid regular expression: " + e.getDescription(), e);
      }
    }
    return new IdentityPolicy(Optional.ofNullable(identity), p, Optional.ofNullable(issuer));
  }

  boolean constrainsIdentity() {
    return identity.isPresent() || identityRegex.isPresent();
  }

  /** One line for people: what is required. */
  public String describe() {
    List<String> parts = new ArrayList<>();
    identity.ifPresent(i -> parts.add("identity " + i));
    identityRegex.ifPresent(r -> parts.add("identity matching " + r.pattern()));
    issuer.ifPresent(i -> parts.add("issuer " + i));
    return parts.isEmpty() ? "any identity" : String.join(", ", parts);
  }

  /**
   * Checks {@code leaf} against this policy.
   *
   * @param names the identities to match (SANs, plus the subject DN for the certificate method)
   * @param prefix the rule prefix ({@code sigstore} or {@code oms.cert})
   * @return the name that matched, or empty without an identity constraint
   */
  Optional<String> check(X509Certificate leaf, List<String> names, String prefix)
      throws VerificationException {
    Optional<String> matched = Optional.empty();
    if (constrainsIdentity()) {
      for (String n : names) {
        if (identity.isPresent()
            ? identity.get().equals(n)
            : identityRegex.get().matcher(n).matches()) {
          matched = Optional.of(n);
          break;
        }
      }
      if (matched.isEmpty()) {
        throw new VerificationException(
            prefix + ".identity-mismatch",
            "the signing certificate is for "
                + (names.isEmpty()
                    ? "no identity"
                    : VerificationException.printable(String.join(", ", names)))
                + ", not "
                + identity
                    .map(i -> "'" + i + "'")
                    .orElseGet(
                        () -> "an identity matching '" + identityRegex.get().pattern() + "'"));
      }
    }
    if (issuer.isPresent()) {
      Optional<String> actual = oidcIssuer(leaf);
      if (actual.isEmpty() || !actual.get().equals(issuer.get())) {
        throw new VerificationException(
            prefix + ".issuer-mismatch",
            "the signing certificate's OIDC issuer is "
                + actual.map(a -> "'" + VerificationException.printable(a) + "'").orElse("absent")
                + ", not '"
                + issuer.get()
                + "'");
      }
    }
    return matched;
  }

  /** The OIDC issuer Fulcio recorded: the newer extension if present, else the older one. */
  static Optional<String> oidcIssuer(X509Certificate leaf) throws VerificationException {
    try {
      byte[] v2 = leaf.getExtensionValue(ISSUER_V2);
      if (v2 != null) {
        ASN1Primitive p = ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(v2).getOctets());
        if (!(p instanceof ASN1String s)) {
          throw new VerificationException(
              "sigstore.issuer-mismatch", "the OIDC issuer extension is not a string");
        }
        return Optional.of(s.getString());
      }
      byte[] v1 = leaf.getExtensionValue(ISSUER_V1);
      if (v1 != null) {
        return Optional.of(
            new String(ASN1OctetString.getInstance(v1).getOctets(), StandardCharsets.UTF_8));
      }
      return Optional.empty();
    } catch (java.io.IOException | IllegalArgumentException e) {
      throw new VerificationException(
          "sigstore.issuer-mismatch", "the OIDC issuer extension is malformed", e);
    }
  }

  /**
   * rfc822Name (1), dNSName (2) and URI (6) entries, unescaped; malformed extensions yield none.
   */
  static List<String> alternativeNames(X509Certificate leaf) {
    List<String> out = new ArrayList<>();
    try {
      var sans = leaf.getSubjectAlternativeNames();
      if (sans != null) {
        for (var san : sans) {
          if (san.size() == 2
              && san.get(0) instanceof Integer type
              && (type == 1 || type == 2 || type == 6)
              && san.get(1) instanceof String value) {
            out.add(value);
          }
        }
      }
    } catch (CertificateParsingException e) {
      return List.of();
    }
    return out;
  }
}
