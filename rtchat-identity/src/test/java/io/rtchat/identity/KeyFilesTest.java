package io.rtchat.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class KeyFilesTest {

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(KeyType.class)
  void savedIdentityLoadsBackWithTheSameKeyAndSigns(KeyType type) throws Exception {
    Identity identity = Identity.generate(type);
    Path file = dir.resolve("id_" + type.id());
    identity.save(file);

    Identity loaded = Identity.load(file);

    assertThat(loaded.type()).isEqualTo(type);
    assertThat(loaded.fingerprint()).isEqualTo(identity.fingerprint());
    byte[] data = "hello".getBytes();
    assertThat(PublicKeys.verify(identity.publicKey(), data, loaded.sign(data))).isTrue();
    assertThat(PublicKeys.fingerprint(KeyFiles.readPublic(Identity.publicKeyFileOf(file))))
        .isEqualTo(identity.fingerprint());
  }

  @Test
  void privateKeyFileIsPkcs8PemWithOwnerOnlyMode() throws Exception {
    Path file = dir.resolve("id");
    Identity.generate().save(file);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(Files.readString(file)).startsWith("-----BEGIN PRIVATE KEY-----\n")
        .endsWith("-----END PRIVATE KEY-----\n");
    assertThat(Files.readString(Identity.publicKeyFileOf(file)))
        .startsWith("-----BEGIN PUBLIC KEY-----\n");
    try (var listing = Files.list(dir)) {
      assertThat(listing.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("id", "id.pub");
    }
  }

  @Test
  void privateKeyReadableByOthersIsRefusedNamingTheFileAndTheFix() throws Exception {
    Path file = dir.resolve("id");
    Identity.generate().save(file);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

    assertThatThrownBy(() -> Identity.load(file))
        .isInstanceOf(InsecureKeyFileException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("chmod 600 " + file);

    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw----r--"));
    assertThatThrownBy(() -> Identity.load(file)).isInstanceOf(InsecureKeyFileException.class);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    assertThat(Identity.load(file)).isNotNull();
  }

  @Test
  void existingKeyFilesAreNeverOverwritten() throws Exception {
    Path file = dir.resolve("id");
    Identity first = Identity.generate();
    first.save(file);

    assertThatThrownBy(() -> Identity.generate().save(file))
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThat(Identity.load(file).fingerprint()).isEqualTo(first.fingerprint());
  }

  @Test
  void garbageKeyFilesGiveClearErrors() throws Exception {
    Path empty = dir.resolve("empty");
    Files.createFile(empty, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    assertThatThrownBy(() -> Identity.load(empty))
        .isInstanceOf(KeyFormatException.class).hasMessageContaining("BEGIN PRIVATE KEY");

    Path bad = dir.resolve("bad");
    Files.createFile(bad, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(bad, "-----BEGIN PRIVATE KEY-----\nAAAA!!\n-----END PRIVATE KEY-----\n");
    assertThatThrownBy(() -> Identity.load(bad)).isInstanceOf(KeyFormatException.class);

    Files.writeString(bad, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    assertThatThrownBy(() -> Identity.load(bad)).isInstanceOf(KeyFormatException.class)
        .hasMessageContaining(bad.toString());
  }

  @Test
  void publicKeyDecodingRejectsGarbageAndWrongTypes() {
    Identity ed = Identity.generate(KeyType.ED25519);
    assertThatThrownBy(() -> PublicKeys.fromBase64(KeyType.ED25519, "not base64!"))
        .isInstanceOf(KeyFormatException.class);
    assertThatThrownBy(() -> PublicKeys.fromBase64(KeyType.ED25519, "AAAA"))
        .isInstanceOf(KeyFormatException.class);
    assertThatThrownBy(() -> PublicKeys.fromBase64(KeyType.RSA_PSS, PublicKeys.toBase64(ed.publicKey())))
        .isInstanceOf(KeyFormatException.class).hasMessageContaining("not rsa-pss");
    assertThatThrownBy(() -> KeyType.fromId("dsa")).hasMessageContaining("ed25519, rsa-pss");
  }
}
