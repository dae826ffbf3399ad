package dev.shadowtest.recorder.internal;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.http.PemFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS contexts from files, with errors that name the file and say what to do: PEM certificate
 * chains with their PEM PKCS#8 keys (read by shadow-http's {@link PemFiles}), PKCS12 keystores and
 * PEM trust anchors.
 */
public final class TlsFiles {

  private TlsFiles() {}

  /** A server context from a PEM certificate chain (leaf first) and its PEM PKCS#8 key. */
  public static SSLContext serverFromPem(
      Path certFile, Path keyFile, String certFlag, String keyFlag) {
    List<X509Certificate> chain = PemFiles.certificates(certFile, certFlag);
    PrivateKey key = PemFiles.privateKey(keyFile, keyFlag);
    if (!PemFiles.belongTogether(key, chain.get(0).getPublicKey())) {
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
    byte[] bytes = PemFiles.read(file, flag);
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
    List<X509Certificate> anchors = PemFiles.certificates(file, flag);
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
}
