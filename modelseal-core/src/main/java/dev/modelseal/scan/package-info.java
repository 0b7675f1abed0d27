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
 * ContentScanner} per kind: npz archives, other zip archives (PyTorch checkpoints, TorchScript,
 * Keras {@code .keras}, any zip; read as the most permissive loader reads them), npy, safetensors,
 * GGUF, HDF5 (reported as not inspected), code files, JSON configs and tokenizer configs, Jinja
 * templates, pickles (by header or pickle name), and everything else, which is tried as a
 * headerless protocol 0/1 pickle before being called text or unknown binary. Pickles are emulated
 * by {@link dev.modelseal.scan.PickleEmulator}, never loaded; imports are graded by {@link
 * dev.modelseal.scan.PicklePolicy} (exact allowlist; critical list).
 *
 * <p>Weight files are validated by the strict format readers of {@code dev.modelseal.format}; a
 * file a reader refuses fails the scan (never clean, exit 1 whatever {@code --fail-on} says) with a
 * high finding under the reader's own rule id, the one {@code modelseal inspect} prints. An npy
 * object array's data is a pickle and is emulated. An npz archive the strict reader refuses is
 * walked as numpy's {@code zipfile} reads it, every member scanned by content (npy members under
 * the npy rules; members without the npy magic, which numpy hands out as raw bytes, by content, so
 * a pickle is still found). GGUF {@code tokenizer.chat_template*} strings are inspected as
 * templates. Metadata strings are checked for code and URLs. Tensor values of all four formats are
 * read (unless {@link dev.modelseal.scan.ModelScanner#withTensorStats(boolean)} turns it off) for
 * NaN/Inf counts and all-zero tensors, which also checks the data-level reader rules (npz CRC-32,
 * BOOL bytes). After a folder is scanned, each {@code *.safetensors.index.json} is checked against
 * the shards beside it; those findings go to the index file's report.
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
 *   <li>Templates (lexed, parsed and judged as Jinja2 does, names folded): {@code template.ssti}
 *       [critical] a dunder or a name only an escape needs, however it is built; {@code
 *       template.computed-attribute} [high] an attribute, item, {@code attr()} or {@code
 *       map(attribute=)} name not known at analysis time; {@code template.obfuscated-string},
 *       {@code template.python-global}, {@code template.loads-template} [high]; {@code
 *       template.unparseable}, {@code template.too-complex}, {@code template.too-large} [high, file
 *       failed].
 *   <li>Configs and code: {@code config.remote-code} [high] ({@code auto_map}, {@code model_file});
 *       {@code json.duplicate-key} [high]; {@code json.malformed}, {@code limit.json} [high, file
 *       failed]; {@code code.python-file}, {@code code.script}, {@code code.native-binary} [high].
 *   <li>Files: {@code file.unknown-binary} [low, skipped]; {@code file.symlink} [medium, skipped];
 *       {@code file.special} [low, skipped]; {@code scan.format-not-inspected} [HDF5, skipped: info
 *       for weights inside .keras, low otherwise].
 *   <li>Weight files: every rule of the strict readers, under its own id ({@code safetensors.*},
 *       {@code npy.*}, {@code npz.*}, {@code gguf.*}, the strict npz reader's {@code zip.*}, and
 *       {@code limit.*}) [high, file failed], including the data-level ones met while reading
 *       tensor data ({@code npz.crc-mismatch}, {@code npz.inflate-*}, {@code
 *       safetensors.bool-not-0-or-1}, {@code npy.bool-not-0-or-1}). For npz a strict rule the
 *       lenient walk already reported as high under another id (e.g. {@code
 *       zip.overlapping-entries} as {@code zip.overlapping-members}) is not repeated; the file
 *       still fails. Reader warnings: {@code npy.header-key-order}, {@code
 *       npy.header-mlx-positional}, {@code safetensors.dimension-above-int32} [low] (MLX reads the
 *       file differently); {@code safetensors.header-leading-whitespace}, {@code
 *       npz.member-name-not-npy}, {@code gguf.padding-not-zero} [info].
 *   <li>npy and npz: {@code npy.object-array} [medium] an object array, whose pickle is emulated
 *       (its findings as for any pickle; a malformed one fails the file); {@code
 *       npz.member-not-npy} [high, file failed] a member without the npy magic (numpy returns it as
 *       raw bytes; it is scanned by content); {@code npz.duplicate-key} [high, file failed] two
 *       members that give numpy one key.
 *   <li>GGUF: each {@code tokenizer.chat_template} and {@code tokenizer.chat_template.<name>} under
 *       the template rules above, located by key ({@code template.too-large} fails the file).
 *   <li>Metadata (safetensors {@code __metadata__}, GGUF scalar strings other than templates and
 *       {@code tokenizer.huggingface.json}): {@code metadata.code-like} [low]; {@code metadata.url}
 *       [info] (not for GGUF keys meant for links: {@code *.url}, {@code *.repo_url}, {@code
 *       *.link}, {@code *.doi}); {@code metadata.findings-truncated} [info].
 *   <li>Tensor values: {@code tensor.nan}, {@code tensor.inf} (counts), {@code tensor.all-zero}
 *       [info]; {@code tensor.findings-truncated} [info] after 50 per file; {@code
 *       tensor.unreadable} [high, file failed] the system refused the scratch file a deflated
 *       Fortran-order npz member is permuted in.
 *   <li>Sharded safetensors (on the index file's report): {@code shards.unindexed-file} [high] a
 *       {@code model*.safetensors} the index does not name (mlx-lm loads it anyway); every other
 *       {@code shards.*} error [medium] ({@code shards.file-name-not-plain}, {@code
 *       shards.file-missing}, {@code shards.shard-not-read}, {@code shards.tensor-not-in-index},
 *       {@code shards.tensor-wrong-file}, {@code shards.indexed-tensor-missing}, {@code
 *       shards.tensor-in-two-shards}, {@code shards.index-not-object}, {@code
 *       shards.weight-map-missing}, {@code shards.weight-map-not-string-map}, and {@code
 *       shards.not-checked} when the folder cannot be read); warnings [info] ({@code
 *       shards.total-size-missing}, {@code shards.total-size-invalid}, {@code
 *       shards.total-size-mismatch}, {@code shards.index-metadata-not-object}, {@code
 *       shards.index-unknown-key}). The index's own JSON problems are the JSON scanner's.
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
