package dev.shadowtest.http;

import dev.shadowtest.core.BadInputException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM files of certificates and private keys, read with the JDK alone, with errors that name the
 * flag and the file and say what to do. The recorder's listener and upstream and the sender's
 * trust and client certificate read their files here.
 *
 * <pre>{@code
 * List<X509Certificate> chain = PemFiles.certificates(Path.of("client.crt"), "--client-cert");
 * PrivateKey key = PemFiles.privateKey(Path.of("client.key"), "--client-key");
 * }</pre>
 *
 * <p>Keys: unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}) of RSA, EC, Ed25519, Ed448 or
 * RSASSA-PSS. A traditional OpenSSL key ({@code BEGIN RSA PRIVATE KEY}, {@code BEGIN EC PRIVATE
 * KEY}) or an encrypted one is refused with the {@code openssl} command that converts it.
 */
public final class PemFiles {

  private PemFiles() {}

  /** Files this large are not certificates or keys. */
  private static final long MAX_BYTES = 1 << 20;

  private static final Pattern PEM =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----");

  /**
   * The PEM certificates of {@code file}, in order (at least one); {@code flag} names the option
   * that gave it in error messages.
   */
  public static List<X509Certificate> certificates(Path file, String flag) {
    byte[] bytes = read(file, flag);
    String text = new String(bytes, StandardCharsets.US_ASCII);
    if (!text.contains("-----BEGIN CERTIFICATE-----")) {
      throw new BadInputException(
          flag
              + " "
              + file
              + ": no PEM certificate in it (expected '-----BEGIN CERTIFICATE-----'"
              + (text.contains("PRIVATE KEY") ? "; this looks like a private key" : "")
              + ")");
    }
    try (InputStream in = new ByteArrayInputStream(bytes)) {
      Collection<? extends Certificate> read =
          CertificateFactory.getInstance("X.509").generateCertificates(in);
      List<X509Certificate> out = new ArrayList<>();
      for (Certificate c : read) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) {
        throw new BadInputException(flag + " " + file + ": no certificate could be read from it");
      }
      return List.copyOf(out);
    } catch (CertificateException | IOException e) {
      throw new BadInputException(
          flag + " " + file + ": not a valid PEM certificate chain: " + e.getMessage());
    }
  }

  /**
   * The PEM PKCS#8 private key of {@code file}; other formats get a message saying how to convert
   * them.
   */
  public static PrivateKey privateKey(Path file, String flag) {
    String text = new String(read(file, flag), StandardCharsets.US_ASCII);
    Matcher m = PEM.matcher(text);
    while (m.find()) {
      String type = m.group(1);
      if (type.equals("PRIVATE KEY")) {
        byte[] der;
        try {
          der = Base64.getMimeDecoder().decode(m.group(2).strip());
        } catch (IllegalArgumentException e) {
          throw new BadInputException(flag + " " + file + ": the key's base64 is damaged");
        }
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "RSASSA-PSS", "Ed448")) {
          try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
          } catch (InvalidKeySpecException | NoSuchAlgorithmException e) {
            // the next algorithm
          }
        }
        throw new BadInputException(
            flag + " " + file + ": a PKCS#8 key of an algorithm this JDK cannot read");
      }
      if (type.equals("ENCRYPTED PRIVATE KEY")) {
        throw new BadInputException(
            flag
                + " "
                + file
                + ": the key is encrypted; give an unencrypted PKCS#8 key (openssl pkcs8 -in "
                + file
                + " -out key.pem)");
      }
      if (type.endsWith("PRIVATE KEY")) {
        String kind = type.substring(0, type.length() - " PRIVATE KEY".length());
        throw new BadInputException(
            flag
                + " "
                + file
                + ": a "
                + kind.toUpperCase(Locale.ROOT)
                + " key in the traditional format ('BEGIN "
                + type
                + "'); convert it to PKCS#8: openssl pkcs8 -topk8 -nocrypt -in "
                + file
                + " -out key.pem");
      }
    }
    throw new BadInputException(
        flag
            + " "
            + file
            + ": no PEM private key in it (expected '-----BEGIN PRIVATE KEY-----'"
            + (text.contains("BEGIN CERTIFICATE") ? "; this looks like a certificate" : "")
            + ")");
  }

  /** True when {@code key} signs what {@code publicKey} verifies (one key pair). */
  public static boolean belongTogether(PrivateKey key, PublicKey publicKey) {
    if (!key.getAlgorithm().equals(publicKey.getAlgorithm())) {
      return false;
    }
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "Ed25519" -> "Ed25519";
          case "Ed448" -> "Ed448";
          default -> null;
        };
    if (algorithm == null) {
      return true; // not checked here: the handshake fails if they differ
    }
    try {
      byte[] probe = "shadow".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /**
   * The bytes of a certificate or key file, PEM or a keystore (at most 1 MiB: a larger file is no
   * such thing); {@code flag} names the option that gave it in error messages.
   */
  public static byte[] read(Path file, String flag) {
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new BadInputException(
            flag + " " + file + ": larger than 1 MiB; not a certificate or key file");
      }
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new BadInputException(flag + " " + file + ": no such file");
    } catch (IOException e) {
      throw new BadInputException(flag + " " + file + ": cannot read it: " + e.getMessage());
    }
  }
}
