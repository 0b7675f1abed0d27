package dev.modelseal.guard;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Watches the folders holding the model's files ({@link WatchService}) and reports every create,
 * write or delete of a verified file's name, and lost events. In {@code MAPPED} such a change may
 * reach the views; in {@code VERIFIED_COPY} it cannot (the copy is private), so it is reported
 * without affecting them.
 */
final class FolderWatch {
  private final GuardedModel model;
  private final WatchService service;
  private final Map<WatchKey, String> prefixes = new HashMap<>();
  private final Set<String> names;
  private final boolean affectsViews;
  private final Thread thread;

  /**
   * @param folders each watched folder and the model-relative prefix of names in it ({@code ""} or
   *     {@code "sub/"}); for a single-file model, its parent folder with prefix {@code ""}
   */
  FolderWatch(GuardedModel model, Map<Path, String> folders, Set<String> names, boolean affects)
      throws IOException {
    this.model = model;
    this.names = Set.copyOf(names);
    this.affectsViews = affects;
    this.service = FileSystems.getDefault().newWatchService();
    try {
      for (Map.Entry<Path, String> f : folders.entrySet()) {
        WatchKey k =
            f.getKey()
                .register(
                    service,
                    StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
        prefixes.put(k, f.getValue());
      }
    } catch (IOException | RuntimeException e) {
      service.close();
      throw e;
    }
    this.thread = new Thread(this::run, "modelseal-guard-watch");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  void stop() {
    try {
      service.close();
    } catch (IOException e) {
      // Nothing left to watch either way.
    }
  }

  private void run() {
    try {
      while (true) {
        WatchKey key = service.take();
        String prefix = prefixes.get(key);
        for (WatchEvent<?> e : key.pollEvents()) {
          if (e.kind() == StandardWatchEventKinds.OVERFLOW) {
            model.report(
                "*",
                TamperEvent.WATCH_OVERFLOW,
                "changes were lost; anything may differ",
                affectsViews);
          } else if (prefix != null && e.context() instanceof Path p) {
            String name = prefix + p;
            if (names.contains(name)) {
              model.report(name, TamperEvent.SOURCE_CHANGED, describe(e), affectsViews);
            }
          }
        }
        if (!key.reset()) {
          prefixes.remove(key);
        }
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      // Stopped.
    }
  }

  private static String describe(WatchEvent<?> e) {
    if (e.kind() == StandardWatchEventKinds.ENTRY_CREATE) {
      return "created or replaced on disk";
    }
    if (e.kind() == StandardWatchEventKinds.ENTRY_DELETE) {
      return "deleted or renamed on disk";
    }
    return "written on disk";
  }
}
