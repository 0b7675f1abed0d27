package dev.modelseal.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The start-up path of {@code modelseal hash}: reads a plain {@code hash} command line without
 * picocli, whose set-up (about 0.2 s: its classes predate the JVM's class-data cache) would
 * otherwise be most of the time of hashing a small model, and a tenth of hashing 4 GiB.
 *
 * <p>It accepts only the unambiguous forms: the path once, each option at most once (but {@code
 * --ignore}), values separate or after {@code =}, sizes as plain decimal numbers. For anything else
 * — help, version, mistakes, {@code @files}, {@code --}, values that look like options — it
 * declines and picocli handles the command line as always, so errors and help read the same. {@code
 * HashArgsTest} checks that whatever this accepts, picocli parses to the same request.
 */
final class HashArgs {
  private HashArgs() {}

  /** The request {@code args} make, or empty when picocli should read them. */
  static Optional<HashRequest> parse(String[] args) {
    if (args.length < 2 || !args[0].equals("hash")) {
      return Optional.empty();
    }
    Path path = null;
    boolean tensors = false;
    boolean json = false;
    boolean allowSymlinks = false;
    boolean debug = false;
    OptionalLong shardSize = OptionalLong.empty();
    List<String> ignore = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      String arg = args[i];
      String name = arg;
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        name = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      }
      boolean takesValue = name.equals("--shard-size") || name.equals("--ignore");
      if (takesValue && value == null) {
        if (++i == args.length) {
          return Optional.empty();
        }
        value = args[i];
      }
      if (value != null && !(takesValue && plain(value))) {
        return Optional.empty();
      }
      switch (name) {
        case "--tensors" -> {
          if (tensors) {
            return Optional.empty();
          }
          tensors = true;
        }
        case "--json" -> {
          if (json) {
            return Optional.empty();
          }
          json = true;
        }
        case "--allow-symlinks" -> {
          if (allowSymlinks) {
            return Optional.empty();
          }
          allowSymlinks = true;
        }
        case "--debug" -> {
          if (debug) {
            return Optional.empty();
          }
          debug = true;
        }
        case "--shard-size" -> {
          OptionalLong size = positiveDecimal(value);
          if (shardSize.isPresent() || size.isEmpty()) {
            return Optional.empty();
          }
          shardSize = size;
        }
        case "--ignore" -> ignore.add(value);
        default -> {
          if (path != null || !plain(arg)) {
            return Optional.empty();
          }
          try {
            path = Path.of(arg);
          } catch (InvalidPathException e) {
            return Optional.empty();
          }
        }
      }
    }
    if (path == null) {
      return Optional.empty();
    }
    return Optional.of(
        new HashRequest(path, tensors, shardSize, json, ignore, allowSymlinks, debug));
  }

  /** A value picocli could not take for an option, an argument file or a quoted string. */
  private static boolean plain(String s) {
    if (s.isEmpty()) {
      return false;
    }
    char c = s.charAt(0);
    return c != '-' && c != '@' && c != '"' && c != '\'';
  }

  /** {@code [1-9][0-9]*} within a long, else empty. */
  private static OptionalLong positiveDecimal(String s) {
    if (s.isEmpty() || s.length() > 18 || s.charAt(0) < '1' || s.charAt(0) > '9') {
      return OptionalLong.empty();
    }
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return OptionalLong.empty();
      }
      n = n * 10 + (c - '0');
    }
    return OptionalLong.of(n);
  }
}
