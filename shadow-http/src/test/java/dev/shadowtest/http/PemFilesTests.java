package dev.shadowtest.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.testing.TestCertificates;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** PEM certificate and key files as users give them, and what is said of the ones refused. */
@Timeout(60)
class PemFilesTests {

  @TempDir Path dir;

  static final TestCertificates CERTS = TestCertificates.get();

  @Test
  void anEncryptedTraditionalKeyIsReportedAsEncryptedWithTheCommandThatDecryptsIt()
      throws Exception {
    // what openssl genrsa -aes128 writes: headers, a blank line, then the base64
    Path key = dir.resolve("enc-rsa.key");
    Files.writeString(
        key,
        "-----BEGIN RSA PRIVATE KEY-----\n"
            + "Proc-Type: 4,ENCRYPTED\n"
            + "DEK-Info: AES-128-CBC,0F1E2D3C4B5A69788796A5B4C3D2E1F0\n"
            + "\n"
            + "AQIDBAUGBwgJCgsMDQ4PEA==\n"
            + "-----END RSA PRIVATE KEY-----\n");
    assertThatThrownBy(() -> PemFiles.privateKey(key, "--client-key"))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "--client-key "
                + key
                + ": the key is encrypted (an RSA key in the traditional format, 'Proc-Type:"
                + " 4,ENCRYPTED'); give an unencrypted PKCS#8 key: openssl pkcs8 -topk8 -nocrypt"
                + " -in "
                + key
                + " -out key.pem");
  }

  @Test
  void aFileOfTheCertificateAndItsKeyServesAsBoth() throws Exception {
    String certificate = Files.readString(CERTS.client().certificate());
    String key = Files.readString(CERTS.client().key());
    for (String text : new String[] {certificate + key, key + certificate}) {
      Path both = dir.resolve("both.pem");
      Files.writeString(both, text);
      assertThat(PemFiles.certificates(both, "--client-cert")).isEqualTo(CERTS.client().chain());
      assertThat(PemFiles.privateKey(both, "--client-key")).isEqualTo(CERTS.client().privateKey());
      assertThat(Connections.ClientCertificate.read(both, both).chain())
          .isEqualTo(CERTS.client().chain());
    }
  }

  @Test
  void aDamagedCertificateIsNamedByItsPlaceInTheFile() throws Exception {
    Path damaged = dir.resolve("damaged.crt");
    Files.writeString(
        damaged,
        Files.readString(CERTS.caCert())
            + TestCertificates.pem("CERTIFICATE", new byte[] {48, 3, 1, 2, 3}));
    assertThatThrownBy(() -> PemFiles.certificates(damaged, "--ca-cert"))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith(
            "--ca-cert " + damaged + ": certificate 2 of the file is not valid:");
  }

  @Test
  void edDsaKeysAreCheckedAgainstTheirCertificatesKey() throws Exception {
    KeyPairGenerator ed25519 = KeyPairGenerator.getInstance("Ed25519");
    KeyPair one = ed25519.generateKeyPair();
    KeyPair other = ed25519.generateKeyPair();
    KeyPair ed448 = KeyPairGenerator.getInstance("Ed448").generateKeyPair();
    assertThat(one.getPrivate().getAlgorithm()).isEqualTo("EdDSA"); // as the JDK names them
    assertThat(PemFiles.belongTogether(one.getPrivate(), one.getPublic())).isTrue();
    assertThat(PemFiles.belongTogether(one.getPrivate(), other.getPublic())).isFalse();
    assertThat(PemFiles.belongTogether(one.getPrivate(), ed448.getPublic())).isFalse();
    assertThat(PemFiles.belongTogether(ed448.getPrivate(), ed448.getPublic())).isTrue();
  }

  @Test
  void aFileWithoutASizeIsReadNoFurtherThanTheLimit() throws Exception {
    Path fifo = dir.resolve("endless.pem");
    Process mkfifo;
    try {
      mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    } catch (IOException e) {
      mkfifo = null;
    }
    assumeTrue(mkfifo != null && mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0);
    // a pipe has no size: 2 MiB of PEM text come through it
    Thread writer =
        new Thread(
            () -> {
              byte[] chunk = new byte[64 * 1024];
              Arrays.fill(chunk, (byte) 'A');
              try (OutputStream out = Files.newOutputStream(fifo)) {
                out.write("-----BEGIN CERTIFICATE-----\n".getBytes(StandardCharsets.US_ASCII));
                for (int i = 0; i < 32; i++) {
                  out.write(chunk);
                }
              } catch (IOException e) {
                // the reader stopped reading: the point
              }
            });
    writer.setDaemon(true);
    writer.start();
    assertThatThrownBy(() -> PemFiles.certificates(fifo, "--ca-cert"))
        .isInstanceOf(BadInputException.class)
        .hasMessage("--ca-cert " + fifo + ": larger than 1 MiB; not a certificate or key file");
    writer.join(10_000);
  }

  @Test
  void anEndlessDeviceIsRefusedAfterTheLimit() {
    Path zero = Path.of("/dev/zero");
    assumeTrue(Files.exists(zero));
    assertThatThrownBy(() -> PemFiles.read(zero, "--client-key"))
        .isInstanceOf(BadInputException.class)
        .hasMessage("--client-key /dev/zero: larger than 1 MiB; not a certificate or key file");
  }

  @Test
  void aTraditionalKeysKindIsReadWithItsArticle() {
    assertThat(PemFiles.article("RSA")).isEqualTo("an RSA");
    assertThat(PemFiles.article("ec")).isEqualTo("an EC");
    assertThat(PemFiles.article("DSA")).isEqualTo("a DSA");
  }
}
