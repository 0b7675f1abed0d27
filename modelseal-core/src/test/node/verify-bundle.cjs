// Verifies a key-method OMS bundle with sigstore-js, independently of ModelSeal:
//   node verify-bundle.cjs BUNDLE.json PUBLIC-KEY.pem
// Transparency-log, certificate-transparency and timestamp checks are disabled (key method).
// The key hint is recomputed here from the PEM, so it is checked independently as well.
'use strict';
const fs = require('fs');
const crypto = require('crypto');
const { bundleFromJSON } = require('@sigstore/bundle');
const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify');
const { TrustedRoot } = require('@sigstore/protobuf-specs');

const bundle = bundleFromJSON(JSON.parse(fs.readFileSync(process.argv[2], 'utf8')));
const key = crypto.createPublicKey(fs.readFileSync(process.argv[3], 'utf8'));
const hint = crypto
  .createHash('sha256')
  .update(key.export({ type: 'spki', format: 'pem' }))
  .digest('hex');
const root = TrustedRoot.fromJSON({
  mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  tlogs: [],
  certificateAuthorities: [],
  ctlogs: [],
  timestampAuthorities: [],
});
const trust = toTrustMaterial(root, (h) => {
  if (h !== hint) {
    throw new Error(`bundle key hint ${h} is not the given key's ${hint}`);
  }
  return { publicKey: key, validFor: () => true };
});
new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 }).verify(
  toSignedEntity(bundle),
);
console.log('verified');
