package io.rtchat.identity;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Objects;

/**
 * A key pair that signs for one peer. Created with {@link #generate}, stored with {@link #save}
 * (private key {@code FILE}, mode 600; public key {@code FILE.pub}) and read back with {@link
 * #load}.
 */
public final class Identity {

  private final KeyType type;
  private final PrivateKey privateKey;
  private final PublicKey publicKey;

  private Identity(KeyType type, PrivateKey privateKey, PublicKey publicKey) {
    this.type = type;
    this.privateKey = privateKey;
    this.publicKey = publicKey;
  }

  /** A fresh key pair of the given type. */
  public static Identity generate(KeyType type) {
    KeyPair pair = type.generate();
    return new Identity(type, pair.getPrivate(), pair.getPublic());
  }

  /** A fresh Ed25519 key pair. */
  public static Identity generate() {
    return generate(KeyType.ED25519);
  }

  /**
   * Reads a private key file written by {@link #save} (or by {@code openssl genpkey}); the public
   * key is derived from it.
   *
   * @throws InsecureKeyFileException when group or others can access the file
   * @throws KeyFormatException when the file holds no usable key
   */
  public static Identity load(Path privateKeyFile) throws IOException {
    PrivateKey privateKey = KeyFiles.readPrivate(privateKeyFile);
    PublicKey publicKey = derivePublic(privateKey, privateKeyFile);
    Identity identity = new Identity(KeyType.of(publicKey), privateKey, publicKey);
    byte[] probe = PublicKeys.utf8("rtchat identity self-check");
    if (!PublicKeys.verify(publicKey, probe, identity.sign(probe))) {
      throw new KeyFormatException(privateKeyFile + " holds an inconsistent key pair");
    }
    return identity;
  }

  /**
   * Writes the private key to {@code privateKeyFile} (mode 600) and the public key to {@code
   * privateKeyFile + ".pub"}.
   *
   * @throws java.nio.file.FileAlreadyExistsException when either file exists
   */
  public void save(Path privateKeyFile) throws IOException {
    Path publicFile = publicKeyFileOf(privateKeyFile);
    if (Files.exists(publicFile)) {
      throw new java.nio.file.FileAlreadyExistsException(publicFile.toString(), null,
          "key files are never overwritten");
    }
    KeyFiles.writePrivate(privateKeyFile, privateKey);
    KeyFiles.writePublic(publicFile, publicKey);
  }

  /** Where {@link #save} puts the public key for a private key file. */
  public static Path publicKeyFileOf(Path privateKeyFile) {
    return privateKeyFile.resolveSibling(privateKeyFile.getFileName() + ".pub");
  }

  public KeyType type() {
    return type;
  }

  public PublicKey publicKey() {
    return publicKey;
  }

  /** {@code SHA256:...} of the public key. */
  public String fingerprint() {
    return PublicKeys.fingerprint(publicKey);
  }

  /** Signs {@code data} with this identity's scheme. */
  public byte[] sign(byte[] data) {
    Objects.requireNonNull(data, "data");
    try {
      Signature signer = type.signature();
      signer.initSign(privateKey);
      signer.update(data);
      return signer.sign();
    } catch (GeneralSecurityException e) {
      throw new IdentityException("signing with the " + type.id() + " key failed", e);
    }
  }

  @Override
  public String toString() {
    return "Identity[" + type.id() + " " + fingerprint() + "]";
  }

  private static PublicKey derivePublic(PrivateKey privateKey, Path file) {
    try {
      if (privateKey instanceof RSAPrivateCrtKey rsa) {
        return KeyFactory.getInstance("RSA")
            .generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
      }
      if (privateKey instanceof EdECPrivateKey ed && ed.getBytes().isPresent()) {
        // The JDK has no "public key of this private key" call for EdDSA, but its generator turns
        // 32 random bytes into exactly this private key; feeding it the stored seed yields the
        // matching public key. load() double-checks the pair with a signature.
        byte[] seed = ed.getBytes().get();
        KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
        generator.initialize(NamedParameterSpec.ED25519, new SeedRandom(seed));
        return generator.generateKeyPair().getPublic();
      }
    } catch (GeneralSecurityException e) {
      throw new KeyFormatException(file + ": cannot derive the public key", e);
    }
    throw new KeyFormatException(file + " holds a " + privateKey.getAlgorithm()
        + " key; supported: Ed25519, RSA (CRT form)");
  }

  /** Returns a fixed seed once; for deriving an Ed25519 public key only. */
  private static final class SeedRandom extends SecureRandom {
    private final byte[] seed;

    SeedRandom(byte[] seed) {
      this.seed = seed.clone();
    }

    @Override
    public void nextBytes(byte[] bytes) {
      if (bytes.length != seed.length) {
        throw new IllegalStateException("unexpected request for " + bytes.length + " bytes");
      }
      System.arraycopy(seed, 0, bytes, 0, seed.length);
    }
  }

}
