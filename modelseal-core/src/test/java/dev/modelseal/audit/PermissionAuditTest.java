package dev.modelseal.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.modelseal.scan.Finding;
import dev.modelseal.scan.ScanReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real trees built as root: modes, owners, ACLs, links, mounts. */
class PermissionAuditTest {
  @TempDir Path tmp;
  Path model;
  ServingUser nobody;

  @BeforeEach
  void tree() throws Exception {
    assumeThat(System.getProperty("user.name"))
        .as("audit tests build trees as root")
        .isEqualTo("root");
    Path parent = Files.createDirectory(tmp.resolve("srv"));
    Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxr-xr-x"));
    model = Files.createDirectory(parent.resolve("model"));
    Files.setPosixFilePermissions(model, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path w = Files.writeString(model.resolve("model.safetensors"), "weights");
    Files.setPosixFilePermissions(w, PosixFilePermissions.fromString("rw-r--r--"));
    nobody = ServingUser.lookUp("nobody");
  }

  ScanReport audit(ServingUser user) throws Exception {
    return PermissionAudit.servingAs(user).audit(model);
  }

  static List<String> rules(ScanReport r, String file) {
    return r.findings().stream().filter(f -> f.file().equals(file)).map(Finding::rule).toList();
  }

  static void sh(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", cmd) + ": " + out);
    }
  }

  @Test
  void audit_readOnlyRootOwnedTree_noFileFindings() throws Exception {
    ScanReport r = audit(nobody);
    assertThat(rules(r, "model.safetensors")).isEmpty();
    assertThat(rules(r, "model")).isEmpty();
  }

  @Test
  void audit_worldWritableFile_criticalWithChmodFix() throws Exception {
    Path w = model.resolve("model.safetensors");
    Files.setPosixFilePermissions(w, PosixFilePermissions.fromString("rw-rw-rw-"));
    ScanReport r = audit(nobody);
    assertThat(rules(r, "model.safetensors"))
        .contains("audit.world-writable", "audit.group-writable", "audit.serving-user-can-write");
    assertThat(r.findings())
        .filteredOn(f -> f.rule().equals("audit.world-writable"))
        .first()
        .satisfies(f -> assertThat(f.fix()).isEqualTo("chmod o-w " + w));
  }

  @Test
  void audit_ownedByServingUser_canWrite() throws Exception {
    sh("chown", "nobody", model.resolve("model.safetensors").toString());
    assertThat(rules(audit(nobody), "model.safetensors")).contains("audit.serving-user-can-write");
  }

  @Test
  void audit_aclGrantsWrite_setfaclFix() throws Exception {
    Path w = model.resolve("model.safetensors");
    sh("setfacl", "-m", "u:nobody:rw", w.toString());
    ScanReport r = audit(nobody);
    assertThat(rules(r, "model.safetensors"))
        .contains("audit.acl-write", "audit.serving-user-can-write");
    assertThat(r.findings())
        .filteredOn(f -> f.rule().equals("audit.acl-write"))
        .first()
        .satisfies(f -> assertThat(f.fix()).isEqualTo("setfacl -x u:65534 " + w));
  }

  @Test
  void audit_aclMaskedWrite_noAclFinding() throws Exception {
    Path w = model.resolve("model.safetensors");
    sh("setfacl", "-m", "u:nobody:rw,m::r", w.toString());
    assertThat(rules(audit(nobody), "model.safetensors")).isEmpty();
  }

  @Test
  void audit_worldWritableAncestor_critical() throws Exception {
    Files.setPosixFilePermissions(model.getParent(), PosixFilePermissions.fromString("rwxrwxrwx"));
    ScanReport r = audit(nobody);
    assertThat(rules(r, model.getParent().toRealPath().toString()))
        .contains("audit.ancestor-writable", "audit.serving-user-can-write");
  }

  @Test
  void audit_stickyAncestor_noAncestorFinding() throws Exception {
    sh("chmod", "1777", model.getParent().toString());
    assertThat(rules(audit(nobody), model.getParent().toRealPath().toString())).isEmpty();
  }

  @Test
  void audit_hardLink_medium() throws Exception {
    Files.createLink(tmp.resolve("other-name"), model.resolve("model.safetensors"));
    assertThat(rules(audit(nobody), "model.safetensors")).containsExactly("audit.hard-link");
  }

  @Test
  void audit_symlinkOutOfTree_highWithTarget() throws Exception {
    Path outside = Files.writeString(tmp.resolve("elsewhere.bin"), "x");
    Files.createSymbolicLink(model.resolve("shard.safetensors"), outside);
    Files.createSymbolicLink(model.resolve("alias.safetensors"), Path.of("model.safetensors"));
    ScanReport r = audit(nobody);
    assertThat(rules(r, "shard.safetensors")).containsExactly("audit.symlink-outside");
    assertThat(rules(r, "alias.safetensors")).containsExactly("audit.symlink");
  }

  @Test
  void audit_setuidBit_high() throws Exception {
    sh("chmod", "4755", model.resolve("model.safetensors").toString());
    assertThat(rules(audit(nobody), "model.safetensors")).contains("audit.setuid");
  }

  @Test
  void audit_privateKeyAndSignatureInTree_findings() throws Exception {
    Files.writeString(
        model.resolve("signing.pem"),
        "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\n");
    Files.writeString(model.resolve("model.sig"), "{}");
    Files.writeString(
        model.resolve("cert.pem"), "-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n");
    ScanReport r = audit(nobody);
    assertThat(rules(r, "signing.pem")).containsExactly("audit.private-key");
    assertThat(rules(r, "model.sig")).containsExactly("audit.signature-in-tree");
    assertThat(rules(r, "cert.pem")).isEmpty();
  }

  @Test
  void audit_servingAsRoot_canWriteEverything() throws Exception {
    assertThat(rules(audit(ServingUser.lookUp("root")), "model.safetensors"))
        .containsExactly("audit.serving-user-can-write");
  }

  @Test
  void audit_readOnlyTmpfs_noReadWriteMountFinding() throws Exception {
    Path mnt = Files.createDirectory(tmp.resolve("ro"));
    try {
      sh("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt.toString());
    } catch (IOException e) {
      System.out.println(
          "PermissionAuditTest: cannot mount tmpfs here, skipped: " + e.getMessage());
      assumeThat(false).isTrue();
    }
    try {
      Path m = Files.createDirectory(mnt.resolve("model"));
      Files.writeString(m.resolve("w.safetensors"), "x");
      ScanReport rw = PermissionAudit.servingAs(nobody).audit(m);
      assertThat(rw.findings()).extracting(Finding::rule).contains("audit.mount-read-write");
      sh("mount", "-o", "remount,ro", mnt.toString());
      ScanReport ro = PermissionAudit.servingAs(nobody).audit(m);
      assertThat(ro.findings()).extracting(Finding::rule).doesNotContain("audit.mount-read-write");
    } finally {
      sh("umount", mnt.toString());
    }
  }

  @Test
  void mountinfo_octalEscapesAndLongestPrefix() throws Exception {
    MountTable t =
        MountTable.parse(
            List.of(
                "1 0 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw",
                "2 1 0:5 / /srv/my\\040models ro,nosuid - nfs4 server:/m rw",
                "3 1 0:6 / /srv rw - fuse.sshfs h:/ rw"));
    MountTable.Mount m = t.holding(Path.of("/srv/my models/llama")).orElseThrow();
    assertThat(m.point()).isEqualTo("/srv/my models");
    assertThat(m.readOnly()).isTrue();
    assertThat(m.network()).isTrue();
    assertThat(t.holding(Path.of("/srv/x")).orElseThrow().type()).isEqualTo("fuse.sshfs");
    assertThat(t.holding(Path.of("/etc")).orElseThrow().point()).isEqualTo("/");
  }

  @Test
  void mountinfo_malformedLine_rejected() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> MountTable.parse(List.of("1 2 3")))
        .isInstanceOf(AuditException.class)
        .hasMessageStartingWith("audit.mounts-malformed");
  }

  @Test
  void acl_malformedXattr_rejected() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> PosixAcl.parse(java.nio.ByteBuffer.wrap(new byte[] {1, 0, 0, 0, 9}), model))
        .isInstanceOf(AuditException.class)
        .hasMessageStartingWith("audit.acl-malformed");
  }

  @Test
  void servingUser_unknown_rejected() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServingUser.lookUp("no-such-user-xyz"))
        .isInstanceOf(AuditException.class)
        .hasMessageStartingWith("audit.unknown-user");
  }
}
