package dev.modelseal.guard;

import dev.modelseal.digest.Digest;
import dev.modelseal.format.ModelFile;
import dev.modelseal.manifest.Manifest;
import dev.modelseal.oms.SignerIdentity;
import dev.modelseal.oms.VerifiedModel;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A verified model whose files are handed over as the bytes that were verified ({@link
 * GuardedFile}), kept under watch while it is open. Only {@link ModelGuard} makes one, so code that
 * accepts a {@code GuardedModel} knows the signature was checked over exactly these bytes.
 *
 * <p>Closing stops the guard's threads and releases the bytes (private copy or mappings); views
 * handed out then fail on access. {@link #revoke} does the same after tampering, and every later
 * access throws {@link ModelTamperedException}.
 */
public final class GuardedModel implements AutoCloseable {
  private final String displayName;
  private final VerifiedModel verification;
  private final ModelGuard.Mode mode;
  private final Arena copyArena; // VERIFIED_COPY only
  private final Map<String, GuardedFile> files = new LinkedHashMap<>();
  private final List<TamperEvent> events = Collections.synchronizedList(new ArrayList<>());
  private final TamperHandler handler;
  private final AtomicLong passes = new AtomicLong();
  private volatile TamperEvent revokedBy;
  private volatile boolean closed;
  private volatile boolean released; // set once the bytes are gone, after closed
  private Reverification reverification;
  private FolderWatch watch;

  GuardedModel(
      String displayName,
      VerifiedModel verification,
      ModelGuard.Mode mode,
      Arena copyArena,
      TamperHandler handler) {
    this.displayName = displayName;
    this.verification = verification;
    this.mode = mode;
    this.copyArena = copyArena;
    this.handler = handler;
  }

  void add(GuardedFile f) {
    files.put(f.name(), f);
  }

  void start(Reverification r, FolderWatch w) {
    this.reverification = r;
    this.watch = w;
    if (r != null) {
      r.start();
    }
    if (w != null) {
      w.start();
    }
  }

  /** The model as it was given, for display only (never reopen it: use the views). */
  public String displayName() {
    return displayName;
  }

  public ModelGuard.Mode mode() {
    return mode;
  }

  /** The signed manifest the files matched. */
  public Manifest manifest() {
    return verification.manifest();
  }

  public Digest rootDigest() {
    return verification.rootDigest();
  }

  public SignerIdentity signer() {
    return verification.signer();
  }

  /** True when the signature is in the deprecated model-transparency 0.2 format. */
  public boolean legacyFormat() {
    return verification.legacyFormat();
  }

  /** Model-relative names of the verified files, in manifest (UTF-8 byte) order. */
  public List<String> fileNames() {
    checkUsable();
    return List.copyOf(files.keySet());
  }

  /** The verified file of that model-relative name, if it is part of the model. */
  public Optional<GuardedFile> file(String name) {
    checkUsable();
    return Optional.ofNullable(files.get(name));
  }

  /** Every verified file, in manifest order. */
  public List<GuardedFile> files() {
    checkUsable();
    return List.copyOf(files.values());
  }

  /** Everything the guard found since the model was opened, oldest first. */
  public List<TamperEvent> events() {
    synchronized (events) {
      return List.copyOf(events);
    }
  }

  /** Full re-verification passes completed since the model was opened. */
  public long reverifications() {
    return passes.get();
  }

  /**
   * The event that revoked the model, once the revocation is complete (the bytes behind every view
   * are released by then).
   */
  public Optional<TamperEvent> revokedBy() {
    return released ? Optional.ofNullable(revokedBy) : Optional.empty();
  }

  /**
   * Fails closed: marks the model tampered, stops the guard and releases the bytes, so every later
   * access throws {@link ModelTamperedException} and views already handed out fail on access. Safe
   * to call from any thread, more than once.
   */
  public void revoke(TamperEvent reason) {
    synchronized (this) {
      if (revokedBy == null) {
        revokedBy = reason;
      }
    }
    release();
  }

  /**
   * @throws ModelTamperedException the model was revoked
   * @throws IllegalStateException the model was closed
   */
  void checkUsable() {
    TamperEvent t = revokedBy;
    if (t != null) {
      throw new ModelTamperedException(t);
    }
    if (closed) {
      throw new IllegalStateException("the guarded model " + displayName + " is closed");
    }
  }

  boolean isOpen() {
    return !closed && revokedBy == null;
  }

  /** Records an event and calls the handler (on a guard thread). */
  void report(String file, String rule, String detail, boolean affectsViews) {
    if (closed) {
      return;
    }
    TamperEvent e = new TamperEvent(file, rule, Instant.now(), detail, affectsViews);
    events.add(e);
    try {
      handler.onTamper(this, e);
    } catch (RuntimeException ex) {
      // The application's handler failed: fail closed rather than carry on unnoticed.
      revoke(e);
    }
  }

  void passCompleted() {
    passes.incrementAndGet();
  }

  @Override
  public void close() {
    release();
  }

  private void release() {
    Reverification r;
    FolderWatch w;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      r = reverification;
      w = watch;
    }
    if (w != null) {
      w.stop();
    }
    if (r != null) {
      r.stop();
    }
    if (copyArena != null) {
      copyArena.close();
    }
    for (GuardedFile f : files.values()) {
      ModelFile m = f.mapped();
      if (m != null) {
        try {
          m.close();
        } catch (IOException e) {
          // Closing a read-only channel: nothing was written that could be lost.
        }
      }
    }
    released = true;
  }

  @Override
  public String toString() {
    return "GuardedModel["
        + displayName
        + ", "
        + mode
        + ", "
        + files.size()
        + " files"
        + (revokedBy != null ? ", revoked" : closed ? ", closed" : "")
        + "]";
  }
}
