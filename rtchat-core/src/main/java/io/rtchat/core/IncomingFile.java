package io.rtchat.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A file arriving into the receive directory. Content goes to a hidden part file; only a complete
 * file whose SHA-256 matches is moved to its final name, which is always inside the directory
 * whatever name the sender offered.
 */
final class IncomingFile {

  private static final int MAX_NAME_LENGTH = 128;

  private final Path directory;
  private final String offeredName;
  private final long declaredSize;
  private final Path partFile;
  private final FileChannel channel;
  private final Sha256 digest = new Sha256();
  private long received;

  private IncomingFile(Path directory, String offeredName, long declaredSize, Path partFile)
      throws IOException {
    this.directory = directory;
    this.offeredName = offeredName;
    this.declaredSize = declaredSize;
    this.partFile = partFile;
    this.channel = FileChannel.open(partFile, StandardOpenOption.WRITE);
  }

  static IncomingFile create(Path directory, String offeredName, long declaredSize)
      throws IOException {
    Files.createDirectories(directory);
    Path part = Files.createTempFile(directory, ".rtchat-", ".part");
    return new IncomingFile(directory, offeredName, declaredSize, part);
  }

  String offeredName() {
    return offeredName;
  }

  long declaredSize() {
    return declaredSize;
  }

  long received() {
    return received;
  }

  void write(byte[] data, int offset, int length) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(data, offset, length);
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
    digest.update(data, offset, length);
    received += length;
  }

  /** Checks size and digest, then moves the file to a free safe name. */
  ReceivedFile complete(String expectedSha256, long expectedBytes) throws IOException {
    channel.close();
    String actual = digest.hex();
    if (!actual.equalsIgnoreCase(expectedSha256)) {
      throw new IOException("SHA-256 mismatch: sender says " + expectedSha256 + ", received " + actual);
    }
    if (expectedBytes >= 0 && expectedBytes != received) {
      throw new IOException("size mismatch: sender says " + expectedBytes + ", received " + received);
    }
    String safe = safeName(offeredName);
    for (int attempt = 0; attempt <= 1000; attempt++) {
      String candidate = attempt == 0 ? safe : withSuffix(safe, attempt);
      Path target = directory.resolve(candidate);
      try {
        Files.createFile(target); // reserves the name: rename would silently replace a file
      } catch (FileAlreadyExistsException e) {
        continue;
      }
      Files.move(partFile, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return new ReceivedFile(offeredName, target, !candidate.equals(offeredName), received, actual);
    }
    throw new IOException("no free name for " + safe + " in " + directory);
  }

  void discard() {
    try {
      channel.close();
      Files.deleteIfExists(partFile);
    } catch (IOException e) {
      // best effort: a leftover part file is hidden and harmless
    }
  }

  /**
   * A name that cannot leave the directory or hide: the last path element, characters outside a
   * portable set replaced, no leading dots, bounded length.
   */
  static String safeName(String offered) {
    String name = offered == null ? "" : offered;
    name = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
    name = name.replaceAll("[^A-Za-z0-9._ -]", "_").replaceAll("^[. ]+", "").strip();
    if (name.length() > MAX_NAME_LENGTH) {
      name = name.substring(name.length() - MAX_NAME_LENGTH);
    }
    return name.isEmpty() ? "file" : name;
  }

  private static String withSuffix(String name, int n) {
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) + "-" + n + name.substring(dot) : name + "-" + n;
  }
}
