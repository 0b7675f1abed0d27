package dev.modelseal.scan;

import dev.modelseal.format.FormatException;
import dev.modelseal.format.LimitExceededException;
import dev.modelseal.format.ParseLimits;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Compares the permissive reader ({@link ZipArchive}, which reads as PyTorch's miniz-based reader
 * does) with Python's {@code zipfile} ({@link PythonZipView}) and with every other end record in
 * the file, and reports each disagreement at high: a member one reader sees and the other does not,
 * a name that maps to other bytes, an archive one reader refuses, a second end record whose
 * directory describes members. It returns the members only another reader would extract, so that
 * they are scanned too.
 */
final class ZipReaderDifferential {
  /** Other end records read at most (each is one directory walk). */
  private static final int MAX_END_RECORDS = 16;

  private ZipReaderDifferential() {}

  /**
   * The members of {@code data} that {@code zip} (may be null: it could not read the archive) did
   * not describe but another plausible reader extracts; disagreements go to {@code out}.
   */
  static List<ZipArchive.Member> othersOnly(
      MemorySegment data, ZipArchive zip, ParseLimits limits, Findings out, String where) {
    List<ZipArchive.Member> mine = zip == null ? List.of() : zip.members();
    List<ZipArchive.Member> extra = new ArrayList<>();
    python(data, zip, mine, limits, out, where, extra);
    endRecords(data, zip, limits, out, where, extra);
    return extra;
  }

  private static void python(
      MemorySegment data,
      ZipArchive zip,
      List<ZipArchive.Member> mine,
      ParseLimits limits,
      Findings out,
      String where,
      List<ZipArchive.Member> extra) {
    PythonZipView py;
    try {
      py = PythonZipView.read(data, limits, where);
    } catch (LimitExceededException e) {
      out.add(e.rule(), Severity.HIGH, where, "", "Python's view not compared: " + e.getMessage());
      return;
    } catch (FormatException e) {
      if (zip != null && !mine.isEmpty()) {
        out.add(
            "zip.reader-disagreement",
            Severity.HIGH,
            where,
            "zipfile: " + JsonFileScanner.detail(e),
            "Python's zipfile refuses this archive while PyTorch's reader reads "
                + mine.size()
                + " member(s): the loaders see different archives");
      }
      return;
    }
    if (zip == null) {
      out.add(
          "zip.reader-disagreement",
          Severity.HIGH,
          where,
          py.entries().size() + " member(s)",
          "Python's zipfile reads this archive although PyTorch's reader cannot: its members"
              + " were scanned as Python reads them");
    }
    Set<String> myNames = new LinkedHashSet<>();
    for (ZipArchive.Member m : mine) {
      myNames.add(m.name());
    }
    Set<String> pyNames = new LinkedHashSet<>(py.names());
    if (zip != null) {
      for (String n : pyNames) {
        if (!myNames.contains(n)) {
          out.add(
              "zip.reader-disagreement",
              Severity.HIGH,
              Findings.at(where, n),
              n,
              "member seen by Python's zipfile (Keras, torch.load's fallback) but not by"
                  + " PyTorch's reader");
        }
      }
      for (String n : myNames) {
        if (!pyNames.contains(n)) {
          out.add(
              "zip.reader-disagreement",
              Severity.HIGH,
              Findings.at(where, n),
              n,
              "member seen by PyTorch's reader but not by Python's zipfile");
        }
      }
    }
    for (String n : py.names()) {
      PythonZipView.Entry e = py.get(n);
      PythonZipView.Opened o = py.open(e);
      if (!o.ok()) {
        continue; // Python refuses the member; the permissive reader's own rules say why
      }
      boolean same = false;
      for (ZipArchive.Member m : mine) {
        same |=
            m.dataOffset() == o.dataOffset()
                && m.compressedSize() == e.compressedSize()
                && m.method() == e.method();
      }
      if (same) {
        continue;
      }
      if (zip != null && myNames.contains(n)) {
        out.add(
            "zip.reader-disagreement",
            Severity.HIGH,
            Findings.at(where, n),
            "zipfile reads " + e.compressedSize() + " bytes at offset " + o.dataOffset(),
            "Python's zipfile and PyTorch's reader map this name to different bytes");
      }
      extra.add(
          new ZipArchive.Member(
              n,
              e.origName(),
              e.flags(),
              e.flags(),
              e.method(),
              e.method(),
              e.crc(),
              e.compressedSize(),
              e.size(),
              e.headerOffset(),
              o.dataOffset()));
    }
  }

  private static boolean insideMemberData(ZipArchive zip, long at) {
    if (zip == null) {
      return false;
    }
    for (ZipArchive.Member m : zip.members()) {
      if (m.dataOffset() >= 0 && at >= m.dataOffset() && at - m.dataOffset() < m.compressedSize()) {
        return true;
      }
    }
    return false;
  }

  private static void endRecords(
      MemorySegment data,
      ZipArchive zip,
      ParseLimits limits,
      Findings out,
      String where,
      List<ZipArchive.Member> extra) {
    long chosen = zip == null ? -1 : zip.endRecord();
    Set<Long> known = new HashSet<>();
    if (zip != null) {
      for (ZipArchive.Member m : zip.members()) {
        known.add(m.dataOffset());
      }
    }
    for (ZipArchive.Member m : extra) {
      known.add(m.dataOffset());
    }
    for (long eocd : ZipArchive.endRecordCandidates(data, MAX_END_RECORDS)) {
      if (eocd == chosen || insideMemberData(zip, eocd)) {
        continue; // a nested archive's own record, or chance bytes in tensor data
      }
      ZipArchive other;
      try {
        other = ZipArchive.read(data, limits, new Findings(""), where, eocd);
      } catch (FormatException | RuntimeException e) {
        continue; // a signature inside some member's bytes, not a directory
      }
      if (other.members().isEmpty()) {
        continue;
      }
      int fresh = 0;
      for (ZipArchive.Member m : other.members()) {
        if (m.dataOffset() >= 0 && known.add(m.dataOffset())) {
          extra.add(m);
          fresh++;
        }
      }
      if (zip != null) {
        out.add(
            "zip.multiple-end-records",
            Severity.HIGH,
            Findings.at(where, "offset " + eocd),
            other.members().size() + " member(s), " + fresh + " not otherwise described",
            "another end-of-central-directory record describes a directory: readers that pick"
                + " it (the last one, or the one whose comment reaches the end) see other"
                + " members; they were scanned too");
      }
    }
  }
}
