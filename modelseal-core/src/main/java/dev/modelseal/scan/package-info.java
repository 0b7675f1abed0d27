/**
 * The malicious-content scanner: finds code smuggled into model files without loading them.
 *
 * <p>Entry point: {@link dev.modelseal.scan.ModelScanner#scan(java.nio.file.Path)} returns a {@link
 * dev.modelseal.scan.ScanReport}: one {@link dev.modelseal.scan.FileReport} per file (scanned,
 * skipped with a reason, or failed — never silently clean) with its {@link
 * dev.modelseal.scan.Finding}s. {@link dev.modelseal.scan.ReportFormat} writes it as text, JSON or
 * SARIF 2.1.0. {@link dev.modelseal.scan.TemplateInspector#inspect(String, String)} checks one
 * Jinja chat template (for callers that extract templates themselves, such as GGUF metadata).
 *
 * <h2>What is scanned</h2>
 *
 * Content is identified by magic bytes (names only where a format has none), one {@code
 * ContentScanner} per kind: zip archives (PyTorch checkpoints, TorchScript, Keras {@code .keras},
 * npz, any zip; read as the most permissive loader reads them), weight formats by magic (npy,
 * safetensors, GGUF, HDF5: reported as not inspected for code by this component), code files, JSON
 * configs and tokenizer configs, Jinja templates, pickles (by header or pickle name), and
 * everything else, which is tried as a headerless protocol 0/1 pickle before being called text or
 * unknown binary. Pickles are emulated by {@link dev.modelseal.scan.PickleEmulator}, never loaded;
 * imports are graded by {@link dev.modelseal.scan.PicklePolicy} (exact allowlist; critical list).
 *
 * <h2>Rule ids</h2>
 *
 * Stable; suppress deliberately by id. Severities in brackets.
 *
 * <ul>
 *   <li>{@code pickle.dangerous-import} [critical] import under a critical module or of a critical
 *       builtin; {@code pickle.non-allowlisted-import} [high] any other import not on the
 *       allowlist; {@code pickle.unresolvable-import} [critical] STACK_GLOBAL operands that are not
 *       literal strings, or EXT1/2/4 extension codes; {@code pickle.build-on-import} [critical]
 *       BUILD on an imported object; {@code pickle.mutates-import} [critical]
 *       SETITEM(S)/APPEND(S)/ADDITEMS on an imported object; {@code pickle.indirect-call} [high] a
 *       call on something that is not an import; {@code pickle.nested-pickle-unresolvable}
 *       [critical] {@code pickle.loads} of a non-literal; {@code pickle.data-after-stop} [medium];
 *       {@code pickle.multiple-streams} [low]; {@code pickle.frame-mismatch} [medium] framing the C
 *       and Python unpicklers read differently; {@code pickle.disguised} [medium] a pickle named
 *       otherwise.
 *   <li>Malformed pickles [high, file failed]: {@code pickle.truncated}, {@code
 *       pickle.unknown-opcode}, {@code pickle.stack-underflow}, {@code pickle.no-mark}, {@code
 *       pickle.memo-missing}, {@code pickle.bad-argument}, {@code pickle.bad-length}, {@code
 *       pickle.odd-items}, {@code pickle.unsupported-protocol}; limits {@code
 *       limit.max-pickle-opcodes}, {@code limit.max-pickle-memo} (also bounds the stack), {@code
 *       limit.max-pickle-depth} (marks and nested pickles), {@code limit.nested-pickle-bytes}.
 *   <li>Archives: {@code zip.local-name-mismatch}, {@code zip.encryption-flag}, {@code
 *       zip.crc-mismatch}, {@code zip.duplicate-name}, {@code zip.local-header-missing}, {@code
 *       zip.overlapping-members}, {@code zip.central-directory-truncated} [high]; {@code
 *       zip.flags-mismatch}, {@code zip.method-mismatch}, {@code zip.local-size-mismatch}, {@code
 *       zip.prepended-data}, {@code zip.unaccounted-bytes}, {@code zip.multi-disk} [medium]; a
 *       member that cannot be read fails the file: {@code zip.no-central-directory}, {@code
 *       zip.unsupported-method}, {@code zip.member-out-of-bounds}, {@code zip.size-mismatch},
 *       {@code zip.bad-deflate}, {@code limit.zip-inflated-total}; {@code zip.nested-too-deep}
 *       [low]; {@code torchscript.code} [high].
 *   <li>Keras: {@code keras.lambda-layer}, {@code keras.torch-module-wrapper}, {@code
 *       keras.unsafe-deserialization} [critical]; {@code keras.non-keras-module} [high, critical
 *       for a critical module]; {@code keras.tfsm-layer}, {@code keras.get-file} [high].
 *   <li>Templates: {@code template.ssti} [critical] dunder access in any spelling or names only an
 *       escape needs; {@code template.obfuscated-string}, {@code template.attr-filter}, {@code
 *       template.python-global}, {@code template.char-construction} [high]; {@code
 *       template.loads-template} [medium]; {@code template.too-large} [high, not scanned].
 *   <li>Configs and code: {@code config.remote-code} [high] ({@code auto_map}, {@code model_file});
 *       {@code json.duplicate-key} [high]; {@code json.malformed}, {@code limit.json} [high, file
 *       failed]; {@code code.python-file}, {@code code.script}, {@code code.native-binary} [high].
 *   <li>Files: {@code file.unknown-binary} [low, skipped]; {@code file.symlink} [medium, skipped];
 *       {@code file.special} [low, skipped]; {@code scan.format-not-inspected} [info for
 *       safetensors and HDF5 weights inside .keras, low otherwise].
 * </ul>
 *
 * <h2>JSON report</h2>
 *
 * <pre>{@code
 * {"root": PATH,
 *  "summary": {"files", "scanned", "skipped", "failed",
 *              "findings": {"critical", "high", "medium", "low", "info"}},
 *  "files": [{"path", "kind", "status": "scanned"|"skipped"|"failed", "reason",
 *             "findings": [{"rule", "severity", "location", "subject", "message"}]}]}
 * }</pre>
 */
package dev.modelseal.scan;
