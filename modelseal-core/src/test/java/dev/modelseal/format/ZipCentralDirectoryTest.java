package dev.modelseal.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.function.Consumer;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

class ZipCentralDirectoryTest {
  private static final byte[] A = "first member".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] B = "second, longer member".getBytes(StandardCharsets.US_ASCII);

  private static ZipCentralDirectory read(byte[] zip) throws FormatException {
    return read(zip, ParseLimits.defaults());
  }

  private static ZipCentralDirectory read(byte[] zip, ParseLimits limits) throws FormatException {
    return ZipCentralDirectory.read(MemorySegment.ofArray(zip), null, limits);
  }

  private static ZipBuilder two() {
    ZipBuilder z = new ZipBuilder();
    z.stored("a.npy", A);
    z.deflated("dir/b.npy", B);
    return z;
  }

  private static AbstractThrowableAssert<?, ?> rejects(byte[] zip, String rule) {
    return assertThatThrownBy(() -> read(zip))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("[" + rule + "]")
        .satisfies(e -> assertThat(((FormatException) e).rule()).isEqualTo(rule));
  }

  /** Two members with the first one changed by {@code change}. */
  private static AbstractThrowableAssert<?, ?> rejectsFirst(
      Consumer<ZipBuilder.Member> change, String rule) {
    ZipBuilder z = two();
    change.accept(z.members.get(0));
    return rejects(z.build(), rule);
  }

  private static AbstractThrowableAssert<?, ?> rejectsName(String name, String rule) {
    ZipBuilder z = new ZipBuilder();
    z.stored(name, A);
    return rejects(z.build(), rule);
  }

  @Test
  void read_pythonLayout_membersWithResolvedSizes() throws Exception {
    byte[] zip = two().build();
    ZipCentralDirectory cd = read(zip);
    assertThat(cd.members()).extracting(ZipMember::name).containsExactly("a.npy", "dir/b.npy");
    ZipMember a = cd.members().get(0);
    assertThat(a.localHeaderOffset()).isZero();
    assertThat(a.dataOffset()).isEqualTo(30 + 5 + 20);
    assertThat(a.compressedSize()).isEqualTo(A.length);
    assertThat(a.uncompressedSize()).isEqualTo(A.length);
    assertThat(a.deflated()).isFalse();
    ZipMember b = cd.members().get(1);
    assertThat(b.deflated()).isTrue();
    assertThat(b.localHeaderOffset()).isEqualTo(a.endOffset());
    assertThat(b.uncompressedSize()).isEqualTo(B.length);
    assertThat(cd.centralDirectoryOffset()).isEqualTo(b.endOffset());
  }

  @Test
  void read_realNumpyArchives_accepted() throws Exception {
    for (String name :
        new String[] {
          "savez.npz", "savez_compressed.npz", "savez_streamed.npz", "savez_zip64_end.npz"
        }) {
      byte[] zip = Files.readAllBytes(NumpyFixtures.file(name));
      assertThat(read(zip).members()).as(name).isNotEmpty();
    }
  }

  @Test
  void read_dataDescriptors_withAndWithoutSignatureAndZip64_accepted() throws Exception {
    for (boolean signature : new boolean[] {true, false}) {
      for (boolean zip64 : new boolean[] {true, false}) {
        ZipBuilder z = two();
        for (ZipBuilder.Member m : z.members) {
          m.descriptor = true;
          m.descriptorSignature = signature;
          m.zip64Local = zip64;
        }
        ZipCentralDirectory cd = read(z.build());
        assertThat(cd.members().get(0).hasDataDescriptor()).isTrue();
        assertThat(cd.members().get(1).localHeaderOffset())
            .isEqualTo(cd.members().get(0).endOffset());
      }
    }
  }

  @Test
  void read_zip64EndRecordAndCentralZip64Extras_accepted() throws Exception {
    ZipBuilder z = two();
    z.zip64End = true;
    z.endEntries = 0xFFFF;
    z.endCentralSize = 0xFFFFFFFFL;
    z.endCentralOffset = 0xFFFFFFFFL;
    z.members.get(1).centralZip64 = true;
    ZipCentralDirectory cd = read(z.build());
    assertThat(cd.members()).hasSize(2);
    assertThat(cd.members().get(1).uncompressedSize()).isEqualTo(B.length);
  }

  @Test
  void read_emptyArchive_accepted() throws Exception {
    assertThat(read(new ZipBuilder().build()).members()).isEmpty();
  }

  @Test
  void read_noEndRecord_rejected() {
    rejects(new byte[10], "zip.no-end-record");
    rejects(new byte[100], "zip.no-end-record");
    byte[] zip = two().build();
    rejects(Arrays.copyOf(zip, zip.length - 1), "zip.no-end-record");
  }

  @Test
  void read_archiveComment_rejected() {
    ZipBuilder z = two();
    z.comment = "hidden".getBytes(StandardCharsets.US_ASCII);
    rejects(z.build(), "zip.comment");
  }

  @Test
  void read_memberComment_rejected() {
    rejectsFirst(m -> m.memberComment = new byte[] {'x'}, "zip.comment");
  }

  @Test
  void read_zip64EscapesWithoutLocator_rejected() {
    ZipBuilder z = two();
    z.endCentralOffset = 0xFFFFFFFFL;
    rejects(z.build(), "zip.zip64-locator-missing");
  }

  @Test
  void read_multiDiskArchives_rejected() {
    ZipBuilder z = two();
    z.endDisk = 1;
    rejects(z.build(), "zip.multi-disk");
    ZipBuilder z64 = two();
    z64.zip64End = true;
    z64.zip64TotalDisks = 2L;
    rejects(z64.build(), "zip.multi-disk");
    rejectsFirst(m -> m.diskStart = 3, "zip.multi-disk");
  }

  @Test
  void read_zip64RecordOutOfBounds_rejected() {
    ZipBuilder z = two();
    z.zip64End = true;
    z.locatorRecordOffset = 1L << 40;
    rejects(z.build(), "zip.zip64-record-bounds");
  }

  @Test
  void read_zip64RecordSignatureMissing_rejected() {
    ZipBuilder z = two();
    z.zip64End = true;
    z.locatorRecordOffset = 0L;
    rejects(z.build(), "zip.zip64-record-signature");
  }

  @Test
  void read_zip64RecordWithExtensibleData_rejected() {
    ZipBuilder z = two();
    z.zip64End = true;
    z.zip64RecordSize = 60L;
    rejects(z.build(), "zip.zip64-record-size");
  }

  @Test
  void read_zip64RecordDisagreesWithEndRecord_rejected() {
    ZipBuilder z = two();
    z.zip64End = true;
    z.zip64Entries = 1L;
    rejects(z.build(), "zip.zip64-mismatch");
  }

  @Test
  void read_centralDirectoryPastItsEnd_rejected() {
    ZipBuilder z = two();
    z.endCentralSize = 5000L;
    rejects(z.build(), "zip.central-directory-bounds");
  }

  @Test
  void read_bytesBetweenCentralDirectoryAndEndRecord_rejected() {
    ZipBuilder z = two();
    z.afterCentral = new byte[] {'P', 'K'};
    rejects(z.build(), "zip.data-after-central-directory");
  }

  @Test
  void read_moreEntriesThanFit_rejected() {
    ZipBuilder z = two();
    z.endEntries = 3;
    rejects(z.build(), "zip.central-directory-truncated");
  }

  @Test
  void read_badCentralSignature_rejected() {
    rejectsFirst(m -> m.centralSignature = 0x02014b51, "zip.central-header-signature");
  }

  @Test
  void read_centralDirectorySizeCoversJunk_rejected() {
    ZipBuilder z = two();
    z.centralPadding = new byte[60];
    rejects(z.build(), "zip.central-directory-size-mismatch");
  }

  @Test
  void read_memberCountAboveLimit_rejectedAsLimit() {
    assertThatThrownBy(() -> read(two().build(), ParseLimits.builder().maxTensors(1).build()))
        .isInstanceOf(LimitExceededException.class)
        .extracting(e -> ((FormatException) e).rule())
        .isEqualTo("limit.max-tensors");
  }

  @Test
  void read_totalUncompressedAboveLimit_rejectedAsLimit() {
    ParseLimits limits = ParseLimits.builder().maxZipTotalUncompressed(20).build();
    assertThatThrownBy(() -> read(two().build(), limits))
        .isInstanceOf(LimitExceededException.class)
        .extracting(e -> ((FormatException) e).rule())
        .isEqualTo("limit.max-zip-total-uncompressed");
  }

  @Test
  void read_traversalAndUnsafeNames_rejectedEachForItsRule() {
    rejectsName("../evil.npy", "zip.name-dot-segment");
    rejectsName("a/../../evil.npy", "zip.name-dot-segment");
    rejectsName("./a.npy", "zip.name-dot-segment");
    rejectsName("a//b.npy", "zip.name-empty-segment");
    rejectsName("/etc/passwd.npy", "zip.name-absolute");
    rejectsName("a\\..\\b.npy", "zip.name-backslash");
    rejectsName("C:x.npy", "zip.name-drive-letter");
    rejectsName("a\u0000b.npy", "zip.name-control-char");
    rejectsName("a\nb.npy", "zip.name-control-char");
    rejectsName("", "zip.name-empty");
    rejectsName("dir/", "zip.directory-entry");
  }

  @Test
  void read_slashInsideName_accepted() throws Exception {
    ZipBuilder z = new ZipBuilder();
    z.stored("Transformer/encoder/kernel.npy", A);
    assertThat(read(z.build()).members().get(0).name()).isEqualTo("Transformer/encoder/kernel.npy");
  }

  @Test
  void read_nameEncodings_utf8OnlyWithItsFlag() throws Exception {
    ZipBuilder ok = new ZipBuilder();
    ZipBuilder.Member m = ok.stored("gewicht_ä.npy", A);
    m.flags = 0x800;
    assertThat(read(ok.build()).members().get(0).name()).isEqualTo("gewicht_ä.npy");

    rejectsName("gewicht_ä.npy", "zip.name-encoding");
    ZipBuilder bad = new ZipBuilder();
    ZipBuilder.Member b = bad.stored("x.npy", A);
    b.flags = 0x800;
    b.nameBytes = new byte[] {'x', (byte) 0xC3, '.', 'n'};
    rejects(bad.build(), "zip.name-encoding");
  }

  @Test
  void read_directoryOrSymlinkByAttributes_rejected() {
    rejectsFirst(m -> m.externalAttributes = 0x41ED0000L, "zip.directory-entry");
    rejectsFirst(m -> m.externalAttributes = 0x10L, "zip.directory-entry");
    rejectsFirst(m -> m.externalAttributes = 0xA1FF0000L, "zip.symlink-entry");
  }

  @Test
  void read_encryptionAndPatchFlags_rejected() {
    rejectsFirst(m -> m.flags = 0x1, "zip.encrypted");
    rejectsFirst(m -> m.flags = 0x20, "zip.patched-data");
    rejectsFirst(m -> m.flags = 0x40, "zip.strong-encryption");
    rejectsFirst(m -> m.flags = 0x2000, "zip.unsupported-flags");
    rejectsFirst(m -> m.flags = 0x10, "zip.unsupported-flags");
  }

  @Test
  void read_methodsOtherThanStoredAndDeflate_rejected() {
    rejectsFirst(m -> m.method = 12, "zip.unsupported-method");
    rejectsFirst(m -> m.method = 99, "zip.unsupported-method");
  }

  @Test
  void read_storedWithDifferentSizes_rejected() {
    rejectsFirst(m -> m.centralUncompressed = (long) A.length + 1, "zip.stored-size-mismatch");
  }

  @Test
  void read_duplicateNames_rejected() {
    ZipBuilder z = new ZipBuilder();
    z.stored("a.npy", A);
    z.stored("a.npy", B);
    rejects(z.build(), "zip.duplicate-name");
  }

  @Test
  void read_zip64ExtraMissingOrShort_rejected() {
    rejectsFirst(m -> m.centralUncompressed = 0xFFFFFFFFL, "zip.zip64-extra-missing");
    rejectsFirst(
        m -> {
          m.centralUncompressed = 0xFFFFFFFFL;
          m.centralExtra = ZipBuilder.extra(1, new byte[4]);
        },
        "zip.zip64-extra-malformed");
  }

  @Test
  void read_extraFieldNotTiled_rejected() {
    rejectsFirst(m -> m.centralExtra = new byte[] {1, 2, 3}, "zip.extra-malformed");
    rejectsFirst(m -> m.localExtra = new byte[] {0x55, 0x54, 9, 0, 1}, "zip.extra-malformed");
  }

  @Test
  void read_unicodePathExtra_rejected() {
    rejectsFirst(
        m ->
            m.centralExtra =
                ZipBuilder.extra(0x7075, "\u0001....evil.npy".getBytes(StandardCharsets.UTF_8)),
        "zip.unicode-path-extra");
  }

  @Test
  void read_localHeaderPastCentralDirectory_rejected() {
    rejectsFirst(m -> m.centralOffset = 100_000L, "zip.local-header-bounds");
  }

  @Test
  void read_badLocalSignature_rejected() {
    rejectsFirst(m -> m.localSignature = 0x04034b51, "zip.local-header-signature");
  }

  @Test
  void read_localHeaderDisagreesWithCentral_rejectedPerField() {
    rejectsFirst(
        m -> m.localNameBytes = "b.npy".getBytes(StandardCharsets.US_ASCII),
        "zip.local-name-mismatch");
    rejectsFirst(m -> m.localFlags = 0x2, "zip.local-flags-mismatch");
    rejectsFirst(m -> m.localMethod = 8, "zip.local-method-mismatch");
    rejectsFirst(m -> m.localCrc = 1234L, "zip.local-crc-mismatch");
    rejectsFirst(m -> m.localUncompressed = 1L, "zip.local-size-mismatch");
    rejectsFirst(
        m -> {
          m.zip64Local = false;
          m.localCompressed = 2L;
        },
        "zip.local-size-mismatch");
  }

  @Test
  void read_memberDataRunningIntoCentralDirectory_rejected() {
    ZipBuilder z = two();
    ZipBuilder.Member b = z.members.get(1);
    b.centralCompressed = 10_000L;
    b.localCompressed = 10_000L;
    rejects(z.build(), "zip.entry-bounds");
  }

  @Test
  void read_descriptorDisagreesOrMissing_rejected() {
    rejectsFirst(
        m -> {
          m.descriptor = true;
          m.descriptorCrc = 7L;
        },
        "zip.data-descriptor-mismatch");
    // Claim 11 bytes more data: the descriptor would then start 11 bytes late and cannot fit.
    ZipBuilder z2 = new ZipBuilder();
    ZipBuilder.Member m2 = z2.stored("a.npy", A);
    m2.descriptor = true;
    m2.descriptorSignature = false;
    m2.zip64Local = false;
    m2.centralCompressed = (long) A.length + 11;
    m2.centralUncompressed = (long) A.length + 11;
    rejects(z2.build(), "zip.data-descriptor-bounds");
  }

  @Test
  void read_bytesBeforeFirstMember_rejected() {
    ZipBuilder z = two();
    z.prefix = "#!/bin/sh\n".getBytes(StandardCharsets.US_ASCII);
    for (ZipBuilder.Member m : z.members) {
      m.centralOffset = null;
    }
    rejects(z.build(), "zip.data-before-first-entry");
  }

  @Test
  void read_gapBetweenMembers_rejected() {
    rejectsFirst(m -> m.gapAfter = new byte[] {0}, "zip.gap-between-entries");
  }

  @Test
  void read_gapBeforeCentralDirectory_rejected() {
    ZipBuilder z = two();
    z.beforeCentral = new byte[] {1, 2, 3};
    rejects(z.build(), "zip.gap-before-central-directory");
  }

  @Test
  void read_emptyArchiveWithLeadingBytes_rejected() {
    ZipBuilder z = new ZipBuilder();
    z.prefix = new byte[] {1};
    rejects(z.build(), "zip.data-before-first-entry");
  }

  @Test
  void read_memberHiddenInsideAnother_rejectedAsOverlap() throws Exception {
    // The "overlapping files" construction: member 'outer' stores a complete local record of
    // member 'inner', and the central directory lists both.
    ZipBuilder innerOnly = new ZipBuilder();
    innerOnly.stored("inner.npy", B);
    byte[] innerZip = innerOnly.build();
    long innerCentral = read(innerZip).centralDirectoryOffset();
    byte[] innerRecord = Arrays.copyOf(innerZip, (int) innerCentral);

    ZipBuilder z = new ZipBuilder();
    ZipBuilder.Member outer = z.stored("outer.npy", innerRecord);
    ZipBuilder.Member inner = z.stored("inner.npy", B);
    inner.omitLocal = true;
    inner.centralOffset = 30L + outer.nameBytes.length + 20;
    rejects(z.build(), "zip.overlapping-entries");
  }

  @Test
  void read_twoEntriesSharingOneLocalHeader_rejected() {
    ZipBuilder z = new ZipBuilder();
    z.stored("a.npy", A);
    ZipBuilder.Member twin = z.stored("a2.npy", A);
    twin.omitLocal = true;
    twin.centralOffset = 0L;
    // Its local header names a.npy: the name cross-check catches it before the layout check.
    rejects(z.build(), "zip.local-name-mismatch");
  }

  @Test
  void read_everyTruncation_rejected() {
    byte[] zip = two().build();
    for (int n = 0; n < zip.length; n++) {
      byte[] cut = Arrays.copyOf(zip, n);
      assertThatThrownBy(() -> read(cut))
          .as("truncated to %d of %d bytes", n, zip.length)
          .isInstanceOf(FormatException.class);
    }
  }

  @Test
  void read_everySingleByteCorruption_neverThrowsAnythingElse() {
    byte[] zip = two().build();
    for (int i = 0; i < zip.length; i++) {
      for (int v : new int[] {0x00, 0xFF, 0x80}) {
        byte[] bad = zip.clone();
        bad[i] = (byte) (bad[i] ^ v ^ 0x5a);
        try {
          read(bad);
        } catch (FormatException expected) {
          assertThat(expected.rule()).isNotBlank();
        }
      }
    }
  }
}
