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
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

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

  /** One {@code -----BEGIN TYPE-----} block: its type and what stands between its lines. */
  private record Block(String type, String text) {

    /** True for a traditional OpenSSL key encrypted by OpenSSL ({@code Proc-Type: 4,ENCRYPTED}). */
    boolean encrypted() {
      return text.contains("Proc-Type:") && text.contains("ENCRYPTED");
    }

    /** The DER bytes: the base64 after the headers, if any ({@code Name: value} lines). */
    byte[] der() {
      String body = text;
      int blank = body.indexOf("\n\n");
      if (body.contains(":") && blank >= 0) {
        body = body.substring(blank + 2);
      }
      return Base64.getMimeDecoder().decode(body.strip());
    }
  }

  /**
   * The PEM blocks of {@code text}, in order; text around them (comments, {@code openssl x509
   * -text} output) is left out. One pass: each block ends at the next {@code -----END} line.
   */
  private static List<Block> blocks(String text) {
    String normalised = text.replace("\r\n", "\n");
    List<Block> out = new ArrayList<>();
    int at = 0;
    while (true) {
      int begin = normalised.indexOf(BEGIN, at);
      if (begin < 0) {
        return out;
      }
      int typeEnd = normalised.indexOf(DASHES, begin + BEGIN.length());
      int end = typeEnd < 0 ? -1 : normalised.indexOf(END, typeEnd + DASHES.length());
      if (end < 0) {
        return out; // no END line follows: not a block
      }
      String type = normalised.substring(begin + BEGIN.length(), typeEnd);
      int after = normalised.indexOf(DASHES, end + END.length());
      String endType = after < 0 ? "" : normalised.substring(end + END.length(), after);
      if (endType.equals(type) && type.length() <= 40 && !type.contains("\n")) {
        out.add(new Block(type, normalised.substring(typeEnd + DASHES.length(), end)));
      }
      at = after < 0 ? end + END.length() : after + DASHES.length();
    }
  }

  private static final String BEGIN = "-----BEGIN ";
  private static final String END = "-----END ";
  private static final String DASHES = "-----";

  /**
   * The PEM certificates of {@code file}, in order (at least one); {@code flag} names the option
   * that gave it in error messages. Only the {@code CERTIFICATE} blocks are read: a file holding
   * the certificate and its key serves as both.
   */
  public static List<X509Certificate> certificates(Path file, String flag) {
    String text = new String(read(file, flag), StandardCharsets.US_ASCII);
    List<Block> certificates =
        blocks(text).stream().filter(b -> b.type().equals("CERTIFICATE")).toList();
    if (certificates.isEmpty()) {
      throw new BadInputException(
          flag
              + " "
              + file
              + ": no PEM certificate in it (expected '-----BEGIN CERTIFICATE-----'"
              + (text.contains("PRIVATE KEY") ? "; this looks like a private key" : "")
              + ")");
    }
    CertificateFactory factory;
    try {
      factory = CertificateFactory.getInstance("X.509");
    } catch (CertificateException e) {
      throw new IllegalStateException("the JDK reads no X.509 certificates", e);
    }
    List<X509Certificate> out = new ArrayList<>();
    for (Block b : certificates) {
      String which =
          certificates.size() == 1
              ? "the certificate"
              : "certificate " + (out.size() + 1) + " of the file";
      try (InputStream in = new ByteArrayInputStream(b.der())) {
        out.add((X509Certificate) factory.generateCertificate(in));
      } catch (IllegalArgumentException e) {
        throw new BadInputException(flag + " " + file + ": " + which + " has damaged base64");
      } catch (CertificateException | IOException e) {
        throw new BadInputException(
            flag + " " + file + ": " + which + " is not valid: " + e.getMessage());
      }
    }
    return List.copyOf(out);
  }

  /**
   * The PEM PKCS#8 private key of {@code file}; other formats get a message saying how to convert
   * them.
   */
  public static PrivateKey privateKey(Path file, String flag) {
    String text = new String(read(file, flag), StandardCharsets.US_ASCII);
    for (Block b : blocks(text)) {
      String type = b.type();
      if (type.equals("PRIVATE KEY")) {
        byte[] der;
        try {
          der = b.der();
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
      if (type.endsWith(" PRIVATE KEY")) {
        String kind = type.substring(0, type.length() - " PRIVATE KEY".length());
        if (b.encrypted()) {
          throw new BadInputException(
              flag
                  + " "
                  + file
                  + ": the key is encrypted ("
                  + article(kind)
                  + " key in the traditional format, 'Proc-Type: 4,ENCRYPTED'); give an"
                  + " unencrypted PKCS#8 key: openssl pkcs8 -topk8 -nocrypt -in "
                  + file
                  + " -out key.pem");
        }
        throw new BadInputException(
            flag
                + " "
                + file
                + ": "
                + article(kind)
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
          // the JDK's name of Ed25519 and Ed448 keys: the key picks the curve
          case "EdDSA" -> "EdDSA";
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
    // read through a stream, never past the limit: a pipe or a device (/dev/zero) has no size
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes((int) MAX_BYTES + 1);
      if (bytes.length > MAX_BYTES) {
        throw new BadInputException(
            flag + " " + file + ": larger than 1 MiB; not a certificate or key file");
      }
      return bytes;
    } catch (NoSuchFileException e) {
      throw new BadInputException(flag + " " + file + ": no such file");
    } catch (IOException e) {
      throw new BadInputException(flag + " " + file + ": cannot read it: " + e.getMessage());
    }
  }

  /** "an RSA", "an EC", "a DSA": the kind of a traditional key, with the article it is read with. */
  static String article(String kind) {
    String k = kind.toUpperCase(Locale.ROOT);
    // read letter by letter: R, E, S... ("ar", "ee", "ess") take "an"
    return ("AEFHILMNORSX".indexOf(k.isEmpty() ? ' ' : k.charAt(0)) >= 0 ? "an " : "a ") + k;
  }
}
