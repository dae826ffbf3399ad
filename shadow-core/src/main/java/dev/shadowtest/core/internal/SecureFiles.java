package dev.shadowtest.core.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Files that may hold production secrets: created owner-only (0600) from the first byte, never
 * readable by others even for a moment.
 */
public final class SecureFiles {

  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

  private SecureFiles() {}

  /** Opens {@code file} for writing, truncating it, with permissions 0600; creates parent folders. */
  public static OutputStream newOutputStream(Path file) throws IOException {
    if (Files.isDirectory(file)) {
      throw new IOException(file + " is a directory");
    }
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    boolean posix = Files.getFileStore(parent).supportsFileAttributeView("posix");
    if (!posix) {
      return Files.newOutputStream(file);
    }
    try {
      FileAttribute<Set<PosixFilePermission>> attr = PosixFilePermissions.asFileAttribute(OWNER_ONLY);
      Files.createFile(file, attr); // umask cannot widen 0600
    } catch (FileAlreadyExistsException e) {
      Files.setPosixFilePermissions(file, OWNER_ONLY);
    }
    return Files.newOutputStream(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
  }

  /** A fresh hidden sibling of {@code target} to write into before {@link #commit}. */
  public static Path temporarySibling(Path target) {
    Path abs = target.toAbsolutePath();
    String name = "." + abs.getFileName() + ".tmp" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    return abs.resolveSibling(name);
  }

  /** Replaces {@code target} with {@code temp} in one step where the file system allows it. */
  public static void commit(Path temp, Path target) throws IOException {
    try {
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
