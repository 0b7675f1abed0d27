/*
 * Build step of modelseal-cli, run by the JDK's source launcher after the jar is shaded:
 *
 *   java ClassFileUpgrade.java JAR PREFIX...
 *
 * Rewrites the class files under each PREFIX in JAR that are older than Java 8 (class file version
 * 52) as version 52 files with stack maps computed by the JDK's ClassFile API, and leaves every other
 * entry as it was.
 *
 * Why: picocli ships Java 5 class files (version 49). The JVM's ahead-of-time cache cannot hold
 * classes that need the old type-inferring verifier, so every run of the tool loaded, verified and
 * linked picocli's ~200 classes from scratch. Re-emitting the same instructions with stack maps makes
 * them ordinary modern classes that the cache stores already linked. The instructions themselves are
 * copied unchanged; only the class file version and the StackMapTable attribute are new.
 */
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassFileVersion;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

public final class ClassFileUpgrade {
  private static final int TARGET_MAJOR = 52;

  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      System.err.println("usage: java ClassFileUpgrade.java JAR PREFIX...");
      System.exit(2);
    }
    Path jar = Path.of(args[0]);
    List<String> prefixes = Arrays.asList(args).subList(1, args.length);
    Path tmp = jar.resolveSibling(jar.getFileName() + ".upgrading");
    int upgraded = 0;
    try (URLClassLoader jarClasses =
        new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
      // Stack maps need the common superclass of merged types: JDK classes from the running JDK,
      // everything else from the jar being rewritten.
      ClassFile classFile =
          ClassFile.of(
              ClassFile.StackMapsOption.GENERATE_STACK_MAPS,
              ClassFile.ClassHierarchyResolverOption.of(
                  ClassHierarchyResolver.defaultResolver()
                      .orElse(ClassHierarchyResolver.ofResourceParsing(jarClasses))));
      try (InputStream raw = Files.newInputStream(jar);
          ZipInputStream in = new ZipInputStream(raw);
          OutputStream rawOut = Files.newOutputStream(tmp);
          ZipOutputStream out = new ZipOutputStream(rawOut)) {
        for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
          byte[] bytes = in.readAllBytes();
          if (!e.isDirectory() && e.getName().endsWith(".class") && underAny(e.getName(), prefixes)) {
            ClassModel model = classFile.parse(bytes);
            if (model.majorVersion() < TARGET_MAJOR) {
              bytes = classFile.transformClass(model, upgrade());
              upgraded++;
            }
          }
          ZipEntry copy = new ZipEntry(e.getName());
          copy.setTime(e.getTime());
          out.putNextEntry(copy);
          out.write(bytes);
          out.closeEntry();
        }
      }
      Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
    System.out.println("ClassFileUpgrade: " + upgraded + " class files of " + prefixes + " now version " + TARGET_MAJOR);
  }

  private static boolean underAny(String name, List<String> prefixes) {
    return prefixes.stream().anyMatch(name::startsWith);
  }

  /** Same members and instructions; every method body re-emitted (so stack maps are computed). */
  private static ClassTransform upgrade() {
    ClassTransform bodies = ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL);
    ClassTransform version =
        (builder, element) -> {
          if (element instanceof ClassFileVersion) {
            builder.with(ClassFileVersion.of(TARGET_MAJOR, 0));
          } else {
            builder.with(element);
          }
        };
    return bodies.andThen(version);
  }
}
