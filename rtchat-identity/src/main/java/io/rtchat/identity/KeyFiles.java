package io.rtchat.identity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;

/**
 * PEM key files: private keys as PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}), public keys as
 * X.509 SubjectPublicKeyInfo ({@code -----BEGIN PUBLIC KEY-----}), the encodings OpenSSL uses.
 *
 * <p>Private key files are created with mode 600 from the first byte (never chmod-ed after the
 * fact), written to a temporary file and published atomically, and never replaced. Loading a
 * private key file that group or others can access fails with {@link InsecureKeyFileException}.
 */
public final class KeyFiles {

  /** Largest key file read; an RSA-4096 PKCS#8 PEM is about 3.3 kB. */
  static final int MAX_FILE_BYTES = 16 * 1024;

  private static final Set<PosixFilePermission> OWNER_ONLY =
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
  private static final Set<PosixFilePermission> PUBLIC_READABLE = EnumSet.of(
      PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
      PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);

  private KeyFiles() {}

  /**
   * Writes a private key as PKCS#8 PEM, mode 600.
   *
   * @throws FileAlreadyExistsException when {@code file} exists; key files are never overwritten
   */
  public static void writePrivate(Path file, PrivateKey key) throws IOException {
    writeNew(file, pem("PRIVATE KEY", key.getEncoded()), OWNER_ONLY);
  }

  /**
   * Writes a public key as X.509 SPKI PEM, mode 644.
   *
   * @throws FileAlreadyExistsException when {@code file} exists
   */
  public static void writePublic(Path file, PublicKey key) throws IOException {
    writeNew(file, pem("PUBLIC KEY", key.getEncoded()), PUBLIC_READABLE);
  }

  /**
   * Reads a PKCS#8 PEM private key (Ed25519 or RSA).
   *
   * @throws InsecureKeyFileException when group or others have any access to the file
   * @throws KeyFormatException when the file holds no readable private key
   */
  public static PrivateKey readPrivate(Path file) throws IOException {
    checkOwnerOnly(file);
    byte[] der = readPem(file, "PRIVATE KEY");
    for (String algorithm : new String[] {"Ed25519", "RSA"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException | RuntimeException e) {
        // try the next algorithm
      }
    }
    throw new KeyFormatException(file + " holds no Ed25519 or RSA PKCS#8 private key");
  }

  /**
   * Reads an X.509 SPKI PEM public key.
   *
   * @throws KeyFormatException when the file holds no supported public key
   */
  public static PublicKey readPublic(Path file) throws IOException {
    try {
      return PublicKeys.fromSpki(readPem(file, "PUBLIC KEY"));
    } catch (KeyFormatException e) {
      throw new KeyFormatException(file + ": " + e.getMessage(), e);
    }
  }

  static void checkOwnerOnly(Path file) throws IOException {
    Set<PosixFilePermission> permissions;
    try {
      permissions = Files.getPosixFilePermissions(file);
    } catch (UnsupportedOperationException e) {
      return; // not a POSIX file system: nothing to check
    }
    for (PosixFilePermission permission : permissions) {
      if (!permission.name().startsWith("OWNER_")) {
        throw new InsecureKeyFileException(file, PosixFilePermissions.toString(permissions));
      }
    }
  }

  static String pem(String label, byte[] der) {
    return "-----BEGIN " + label + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + label + "-----\n";
  }

  static byte[] readPem(Path file, String label) throws IOException {
    if (Files.size(file) > MAX_FILE_BYTES) {
      throw new KeyFormatException(file + " is larger than " + MAX_FILE_BYTES + " bytes; not a key file");
    }
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    String begin = "-----BEGIN " + label + "-----";
    String end = "-----END " + label + "-----";
    int from = text.indexOf(begin);
    int to = from < 0 ? -1 : text.indexOf(end, from);
    if (from < 0 || to < 0) {
      throw new KeyFormatException(file + " has no '" + begin + "' block");
    }
    String body = text.substring(from + begin.length(), to).replaceAll("\\s", "");
    try {
      return Base64.getDecoder().decode(body);
    } catch (IllegalArgumentException e) {
      throw new KeyFormatException(file + ": the " + label + " block is not valid base64");
    }
  }

  /** Writes a new file with the given mode from creation on, publishing it atomically. */
  private static void writeNew(Path file, String content, Set<PosixFilePermission> mode)
      throws IOException {
    if (Files.exists(file)) {
      throw new FileAlreadyExistsException(file.toString(), null, "key files are never overwritten");
    }
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path temp = dir.resolve("." + file.getFileName() + ".tmp-" + UUID.randomUUID());
    try {
      createWithMode(temp, mode);
      Files.writeString(temp, content, StandardCharsets.US_ASCII, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.SYNC);
      try {
        Files.createLink(file, temp); // atomic and never replaces an existing file
      } catch (UnsupportedOperationException | FileAlreadyExistsException e) {
        if (e instanceof FileAlreadyExistsException exists) {
          throw exists;
        }
        Files.move(temp, file);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private static void createWithMode(Path path, Set<PosixFilePermission> mode) throws IOException {
    FileAttribute<Set<PosixFilePermission>> attribute = PosixFilePermissions.asFileAttribute(mode);
    try {
      Files.createFile(path, attribute);
    } catch (UnsupportedOperationException e) {
      Files.createFile(path); // not POSIX: the platform's default protection applies
    }
  }
}
