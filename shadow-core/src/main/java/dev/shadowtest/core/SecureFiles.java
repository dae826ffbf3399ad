package dev.shadowtest.core;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Files that may hold production secrets: created owner-only (0600) from the first byte, never
 * readable by others even for a moment.
 */
public final class SecureFiles {

  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  private SecureFiles() {}

  /**
   * Opens {@code file} for writing, truncating it, with permissions 0600; creates parent folders.
   * Refuses symbolic links: a recording full of secrets is never written through one.
   */
  public static OutputStream newOutputStream(Path file) throws IOException {
    if (Files.isSymbolicLink(file)) {
      throw new IOException(file + " is a symbolic link; refusing to write secrets through it");
    }
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
      FileAttribute<Set<PosixFilePermission>> attr =
          PosixFilePermissions.asFileAttribute(OWNER_ONLY);
      // umask cannot widen 0600; a new file is opened without TRUNCATE, which on ext4 would make
      // close() start writeback of the whole file
      return Files.newOutputStream(
          Files.createFile(file, attr), StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    } catch (FileAlreadyExistsException e) {
      Files.getFileAttributeView(file, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
          .setPermissions(OWNER_ONLY);
    }
    return Files.newOutputStream(
        file,
        StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING,
        LinkOption.NOFOLLOW_LINKS);
  }

  /**
   * Opens {@code file} for appending, creating it with permissions 0600 (an existing file is set
   * to 0600); creates parent folders. Refuses symbolic links, as {@link #newOutputStream} does.
   */
  public static OutputStream newAppendingOutputStream(Path file) throws IOException {
    if (Files.isSymbolicLink(file)) {
      throw new IOException(file + " is a symbolic link; refusing to write secrets through it");
    }
    if (Files.isDirectory(file)) {
      throw new IOException(file + " is a directory");
    }
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    if (Files.getFileStore(parent).supportsFileAttributeView("posix")) {
      try {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      } catch (FileAlreadyExistsException e) {
        Files.getFileAttributeView(file, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
            .setPermissions(OWNER_ONLY);
      }
    }
    return Files.newOutputStream(
        file,
        StandardOpenOption.CREATE,
        StandardOpenOption.WRITE,
        StandardOpenOption.APPEND,
        LinkOption.NOFOLLOW_LINKS);
  }

  /** Creates {@code file}, which must not exist yet, for writing with permissions 0600. */
  public static OutputStream newExclusiveOutputStream(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (Files.getFileStore(parent).supportsFileAttributeView("posix")) {
      return Files.newOutputStream(
          Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY)),
          StandardOpenOption.WRITE,
          LinkOption.NOFOLLOW_LINKS);
    }
    return Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
  }

  /** A fresh hidden sibling of {@code target} to write into before {@link #commit}. */
  public static Path temporarySibling(Path target) {
    Path abs = target.toAbsolutePath();
    String name =
        "." + abs.getFileName() + ".tmp" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    return abs.resolveSibling(name);
  }

  /**
   * Moves {@code temp} to {@code target}, which must not exist: a file created there meanwhile
   * is never replaced ({@link FileAlreadyExistsException}). A hard link is the atomic no-clobber
   * move; where the file system has none, a plain move that refuses an existing target.
   */
  public static void commitNew(Path temp, Path target) throws IOException {
    try {
      Files.createLink(target, temp);
    } catch (FileAlreadyExistsException e) {
      throw e;
    } catch (UnsupportedOperationException | FileSystemException e) {
      Files.move(temp, target);
      return;
    }
    Files.delete(temp);
  }

  /**
   * Deletes {@code dir} and everything in it (a temporary work directory); nothing when it does
   * not exist. Links are deleted, never followed.
   */
  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
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
