package dev.shadowtest.recorder.internal;

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
import java.security.KeyStore;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
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
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS material from files, with errors that name the file and say what to do: PEM certificate
 * chains, PEM PKCS#8 private keys (RSA, EC, Ed25519), PKCS12 keystores and PEM trust anchors.
 */
public final class TlsFiles {

  private TlsFiles() {}

  /** Files this large are not certificates or keys. */
  private static final long MAX_BYTES = 1 << 20;

  private static final Pattern PEM =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----");

  /** A server context from a PEM certificate chain (leaf first) and its PEM PKCS#8 key. */
  public static SSLContext serverFromPem(
      Path certFile, Path keyFile, String certFlag, String keyFlag) {
    List<X509Certificate> chain = certificates(certFile, certFlag);
    PrivateKey key = privateKey(keyFile, keyFlag);
    if (!belongTogether(key, chain.get(0).getPublicKey())) {
      throw new BadInputException(
          keyFlag
              + " "
              + keyFile
              + ": this key does not belong to the certificate in "
              + certFile
              + " (its first certificate must be the server's own)");
    }
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      char[] none = new char[0];
      store.setKeyEntry("server", key, none, chain.toArray(new Certificate[0]));
      return serverContext(store, none);
    } catch (GeneralSecurityException | IOException e) {
      throw new BadInputException(
          certFlag + " " + certFile + ": cannot use this certificate and key: " + e.getMessage());
    }
  }

  /** A server context from a PKCS12 keystore holding one key entry. */
  public static SSLContext serverFromPkcs12(Path file, char[] password, String flag) {
    byte[] bytes = read(file, flag);
    KeyStore store;
    try {
      store = KeyStore.getInstance("PKCS12");
      store.load(new ByteArrayInputStream(bytes), password);
    } catch (IOException e) {
      throw new BadInputException(
          flag
              + " "
              + file
              + ": cannot open it as a PKCS12 keystore (a wrong password, or not PKCS12): "
              + e.getMessage());
    } catch (GeneralSecurityException e) {
      throw new BadInputException(flag + " " + file + ": " + e.getMessage());
    }
    try {
      int keys = 0;
      for (String alias : Collections.list(store.aliases())) {
        if (store.isKeyEntry(alias)) {
          keys++;
        }
      }
      if (keys != 1) {
        throw new BadInputException(
            flag
                + " "
                + file
                + ": expected exactly one private key with its certificate chain, found "
                + keys);
      }
      return serverContext(store, password);
    } catch (GeneralSecurityException e) {
      throw new BadInputException(
          flag + " " + file + ": cannot use its key (its password?): " + e.getMessage());
    }
  }

  /** A client context that trusts the PEM certificates of {@code file} (and nothing else). */
  public static SSLContext trusting(Path file, String flag) {
    List<X509Certificate> anchors = certificates(file, flag);
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      int i = 0;
      for (X509Certificate c : anchors) {
        store.setCertificateEntry("ca-" + i++, c);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), new SecureRandom());
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new BadInputException(flag + " " + file + ": cannot trust these certificates: " + e);
    }
  }

  private static SSLContext serverContext(KeyStore store, char[] password)
      throws GeneralSecurityException {
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, password);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), null, new SecureRandom());
    return context;
  }

  /**
   * Modern TLS only: TLS 1.3 and 1.2, forward-secret AEAD cipher suites (ECDHE with AES-GCM or
   * ChaCha20-Poly1305; TLS 1.3's own suites), HTTP/1.1 offered by ALPN. HTTP/2 forbids the
   * suites this leaves out, so the same list serves {@code h2}.
   */
  public static void modern(SSLParameters p, String[] supportedSuites) {
    modern(p, supportedSuites, false);
  }

  /** As {@link #modern(SSLParameters, String[])}, offering HTTP/2 ({@code h2}) first by ALPN. */
  static void modern(SSLParameters p, String[] supportedSuites, boolean http2) {
    p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
    List<String> suites = new ArrayList<>();
    for (String s : supportedSuites) {
      boolean tls13 = s.startsWith("TLS_AES_") || s.startsWith("TLS_CHACHA20_");
      boolean aead = s.contains("_GCM_") || s.contains("CHACHA20_POLY1305");
      if (tls13 || s.startsWith("TLS_ECDHE_") && aead) {
        suites.add(s);
      }
    }
    p.setCipherSuites(suites.toArray(new String[0]));
    p.setUseCipherSuitesOrder(true);
    p.setApplicationProtocols(http2 ? new String[] {"h2", "http/1.1"} : new String[] {"http/1.1"});
  }

  static byte[] read(Path file, String flag) {
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

  /** The PEM certificates of {@code file}, in order (at least one). */
  static List<X509Certificate> certificates(Path file, String flag) {
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
      return out;
    } catch (CertificateException | IOException e) {
      throw new BadInputException(
          flag + " " + file + ": not a valid PEM certificate chain: " + e.getMessage());
    }
  }

  /** The PEM PKCS#8 private key of {@code file}; other formats get a message saying how to convert. */
  static PrivateKey privateKey(Path file, String flag) {
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
                + " -out key.pem) or a PKCS12 keystore with --tls-keystore");
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

  /** True when {@code key} signs what {@code cert} verifies. */
  private static boolean belongTogether(PrivateKey key, PublicKey cert) {
    if (!key.getAlgorithm().equals(cert.getAlgorithm())) {
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
      verifier.initVerify(cert);
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
