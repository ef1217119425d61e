package io.rtchat.identity;

import java.nio.file.Path;

/** A private key file that other users can access; refused until its mode is fixed. */
public final class InsecureKeyFileException extends IdentityException {

  private final Path file;

  InsecureKeyFileException(Path file, String mode) {
    super("private key file " + file + " is accessible by group or others (mode " + mode
        + "); refusing to use it. Fix with: chmod 600 " + file);
    this.file = file;
  }

  public Path file() {
    return file;
  }
}
