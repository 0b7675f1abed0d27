package dev.modelseal.scan;

import java.util.Map;

/** One-line descriptions of the rule ids, for SARIF rule metadata and documentation. */
final class RuleCatalog {
  private static final Map<String, String> RULES =
      Map.ofEntries(
          Map.entry("pickle.dangerous-import", "Pickle imports a known-dangerous callable"),
          Map.entry(
              "pickle.non-allowlisted-import", "Pickle imports a global not on the allowlist"),
          Map.entry(
              "pickle.unresolvable-import",
              "Pickle import whose name cannot be resolved statically"),
          Map.entry(
              "pickle.build-on-import", "BUILD applied to an imported module, class or function"),
          Map.entry("pickle.mutates-import", "Pickle modifies an imported object in place"),
          Map.entry("pickle.indirect-call", "Pickle calls a value that is not an import"),
          Map.entry(
              "pickle.nested-pickle-unresolvable",
              "Nested pickle loaded from a value that is not literal bytes"),
          Map.entry("pickle.data-after-stop", "Data after the last pickle STOP"),
          Map.entry("pickle.multiple-streams", "Several pickles in one stream"),
          Map.entry(
              "pickle.frame-mismatch",
              "Pickle framing the C and Python unpicklers read differently"),
          Map.entry("pickle.disguised", "Pickle content under a name that does not say pickle"),
          Map.entry("pickle.findings-truncated", "More pickle findings than are listed"),
          Map.entry("pickle.truncated", "Malformed pickle: truncated"),
          Map.entry("pickle.unknown-opcode", "Malformed pickle: unknown opcode"),
          Map.entry("pickle.stack-underflow", "Malformed pickle: stack underflow"),
          Map.entry("pickle.no-mark", "Malformed pickle: missing MARK"),
          Map.entry("pickle.memo-missing", "Malformed pickle: memo key never stored"),
          Map.entry("pickle.bad-argument", "Malformed pickle: bad opcode argument"),
          Map.entry("pickle.bad-length", "Malformed pickle: bad length"),
          Map.entry("pickle.odd-items", "Malformed pickle: odd number of dict items"),
          Map.entry("pickle.unsupported-protocol", "Malformed pickle: unsupported protocol"),
          Map.entry("zip.local-name-mismatch", "Zip local header names another file"),
          Map.entry("zip.encryption-flag", "Zip member marked encrypted or patched"),
          Map.entry("zip.crc-mismatch", "Zip member CRC-32 mismatch"),
          Map.entry("zip.duplicate-name", "Two zip members share a name"),
          Map.entry("zip.flags-mismatch", "Zip flags differ between headers"),
          Map.entry("zip.method-mismatch", "Zip compression method differs between headers"),
          Map.entry("zip.local-size-mismatch", "Zip sizes or CRC differ between headers"),
          Map.entry("zip.local-header-missing", "Zip member without a readable local header"),
          Map.entry("zip.overlapping-members", "Zip members overlap"),
          Map.entry("zip.prepended-data", "Data before the first zip member"),
          Map.entry("zip.unaccounted-bytes", "Zip bytes that belong to no member"),
          Map.entry("zip.central-directory-truncated", "Zip central directory truncated"),
          Map.entry("zip.no-central-directory", "Zip central directory missing or broken"),
          Map.entry("zip.multi-disk", "Zip claims to span several disks"),
          Map.entry("zip.unsupported-method", "Zip member compressed with an unknown method"),
          Map.entry("zip.member-out-of-bounds", "Zip member data outside the file"),
          Map.entry("zip.size-mismatch", "Zip member inflates to another size than declared"),
          Map.entry("zip.bad-deflate", "Zip member deflate data corrupt"),
          Map.entry("zip.nested-too-deep", "Archive nested too deep to scan"),
          Map.entry("torchscript.code", "TorchScript code members"),
          Map.entry("keras.lambda-layer", "Keras Lambda layer (Python bytecode)"),
          Map.entry("keras.non-keras-module", "Keras object from a module outside keras"),
          Map.entry(
              "keras.torch-module-wrapper", "Keras TorchModuleWrapper (pickled torch module)"),
          Map.entry("keras.tfsm-layer", "Keras TFSMLayer (external SavedModel)"),
          Map.entry("keras.unsafe-deserialization", "Keras safe mode disabled"),
          Map.entry("keras.get-file", "Keras config downloads files"),
          Map.entry("template.ssti", "Template injection: reaches Python internals"),
          Map.entry("template.obfuscated-string", "Template string spelled with escapes"),
          Map.entry(
              "template.computed-attribute", "Template looks up a name computed at render time"),
          Map.entry("template.unparseable", "Template Jinja would not compile (not judged)"),
          Map.entry("template.too-complex", "Template too costly to judge fully"),
          Map.entry(
              "template.python-global", "Template uses a global that leads to Python objects"),
          Map.entry("template.loads-template", "Template loads another template"),
          Map.entry("template.too-large", "Template too large to scan"),
          Map.entry("config.remote-code", "Config makes loaders run remote code"),
          Map.entry("json.duplicate-key", "Duplicate JSON key (parser differential)"),
          Map.entry("json.malformed", "Malformed JSON"),
          Map.entry("code.python-file", "Python code in a model folder"),
          Map.entry("code.script", "Executable script in a model folder"),
          Map.entry("code.native-binary", "Native executable or library in a model folder"),
          Map.entry("file.unknown-binary", "Binary file of unknown type (not scanned)"),
          Map.entry("file.symlink", "Symbolic link (not followed)"),
          Map.entry("file.special", "Special file (not read)"),
          Map.entry("scan.format-not-inspected", "Weight format not scanned for embedded code"),
          Map.entry("npy.object-array", "npy object array (its data is a pickle)"),
          Map.entry("npz.member-not-npy", "npz member that is not an npy file"),
          Map.entry("npz.duplicate-key", "Two npz members give numpy the same key"),
          Map.entry("tensor.nan", "Tensor holds NaN values"),
          Map.entry("tensor.inf", "Tensor holds infinite values"),
          Map.entry("tensor.all-zero", "Tensor whose values are all zero"),
          Map.entry("tensor.unreadable", "Tensor data could not be read (not scanned)"),
          Map.entry("tensor.findings-truncated", "More tensor value findings than are listed"),
          Map.entry("metadata.code-like", "Metadata string that looks like code"),
          Map.entry("metadata.url", "Metadata string holding a URL"),
          Map.entry("metadata.findings-truncated", "More metadata findings than are listed"),
          Map.entry(
              "shards.unindexed-file",
              "model*.safetensors beside an index that does not name it (loaded by mlx-lm)"),
          Map.entry("shards.not-checked", "Sharded folder could not be checked against its index"),
          Map.entry("lint.pickle-load", "Python code unpickles (runs code from the file)"),
          Map.entry("lint.torch-load-unsafe", "torch.load without weights_only=True"),
          Map.entry("lint.numpy-allow-pickle", "numpy.load with allow_pickle"),
          Map.entry("lint.joblib-load", "joblib.load (unpickles)"),
          Map.entry("lint.dill-load", "dill/cloudpickle load (deserializes code)"),
          Map.entry("lint.yaml-unsafe-load", "yaml.load without a safe Loader"),
          Map.entry("lint.trust-remote-code", "trust_remote_code runs the model's Python code"),
          Map.entry("lint.unpinned-revision", "Hub load not pinned to a commit hash"),
          Map.entry("lint.mlx-load-unverified", "mx.load of bytes nothing verified"),
          Map.entry("lint.http-url", "URL over plain http"),
          Map.entry("lint.tls-verify-disabled", "Download with TLS verification off"),
          Map.entry("lint.modelscope-source", "mlx-lm switched to ModelScope downloads"),
          Map.entry("lint.request-path-load", "Load path taken from web request input"),
          Map.entry("audit.world-writable", "World-writable file or folder"),
          Map.entry("audit.group-writable", "Group-writable file or folder"),
          Map.entry("audit.ancestor-writable", "Writable ancestor folder without the sticky bit"),
          Map.entry("audit.acl-write", "POSIX ACL entry grants write"),
          Map.entry("audit.setuid", "setuid or setgid bit"),
          Map.entry("audit.symlink", "Symbolic link in the model tree"),
          Map.entry("audit.symlink-outside", "Symbolic link leading out of the model tree"),
          Map.entry("audit.hard-link", "File with several hard links"),
          Map.entry("audit.serving-user-can-write", "The serving user can write the weights"),
          Map.entry("audit.owner-not-root", "Not owned by root or the serving user"),
          Map.entry("audit.mount-read-write", "Model on a read-write mount"),
          Map.entry("audit.network-filesystem", "Model on a network or FUSE file system"),
          Map.entry("audit.private-key", "Signing private key inside the served folder"),
          Map.entry("audit.signature-in-tree", "Signature file inside the served folder"));

  /** Reader rule families: the strict readers' own rule ids, reported as they name them. */
  private static final Map<String, String> FAMILIES =
      Map.of(
          "safetensors.", "safetensors structure rule broken: ",
          "npy.", "npy structure rule broken: ",
          "npz.", "npz structure rule broken: ",
          "gguf.", "GGUF structure rule broken: ",
          "shards.", "Sharded safetensors folder disagrees with its index: ",
          "zip.", "Zip structure rule broken: ");

  private RuleCatalog() {}

  static String describe(String rule) {
    String d = RULES.get(rule);
    if (d != null) {
      return d;
    }
    if (rule.startsWith("limit.")) {
      return "Parse limit exceeded: " + rule.substring(6);
    }
    for (Map.Entry<String, String> f : FAMILIES.entrySet()) {
      if (rule.startsWith(f.getKey())) {
        return f.getValue() + rule.substring(f.getKey().length());
      }
    }
    return "Scan problem: " + rule;
  }
}
