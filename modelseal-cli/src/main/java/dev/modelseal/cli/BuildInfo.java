package dev.modelseal.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * What this build of the tool is: its version and the git commit it was built from, as recorded by
 * the build in {@code build.properties} beside this class.
 *
 * @param version the project version, or {@code development} when run from a build without it
 * @param commit the full commit id, or {@code unknown} for a build outside a git checkout
 * @param commitTime when that commit was made (ISO-8601), or empty
 * @param dirty the work tree had uncommitted changes when the tool was built
 */
record BuildInfo(String version, String commit, String commitTime, boolean dirty) {
  private static final String RESOURCE = "build.properties";

  static BuildInfo current() {
    Properties p = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // An unreadable resource in our own jar leaves the version unknown; nothing else depends on
      // it.
    }
    return new BuildInfo(
        nonEmpty(p.getProperty("git.build.version"), "development"),
        nonEmpty(p.getProperty("git.commit.id"), "unknown"),
        p.getProperty("git.commit.time", ""),
        Boolean.parseBoolean(p.getProperty("git.dirty", "false")));
  }

  /** The lines {@code modelseal --version} prints. */
  String[] versionLines() {
    StringBuilder first = new StringBuilder("modelseal ").append(version);
    first.append(" (commit ").append(commit);
    if (!commitTime.isEmpty()) {
      first.append(", ").append(commitTime);
    }
    if (dirty) {
      first.append(", with uncommitted changes");
    }
    first.append(')');
    return new String[] {
      first.toString(),
      "Java "
          + System.getProperty("java.runtime.version", "?")
          + " ("
          + System.getProperty("java.vendor", "?")
          + ")"
    };
  }

  private static String nonEmpty(String s, String fallback) {
    return s == null || s.isBlank() ? fallback : s;
  }
}
