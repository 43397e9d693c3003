package io.continua.schemas.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Ed25519 signatures on the records of the {@code deltas} topic: defense in depth behind the
 * cluster's ACLs. The registry signs every record it writes with its private key; every reader
 * (serving, registry replicas, the registry's own view) holds the public key and ignores records
 * whose signature is missing or wrong. A signature covers the topic, the key and the value, so a
 * record cannot be moved to another key or topic. It does not stop a replay of an earlier genuine
 * record by someone who may write the topic: only the ACLs do.
 *
 * <p>Keys are PEM files as OpenSSL writes them ({@code openssl genpkey -algorithm ed25519} and
 * {@code openssl pkey -pubout}); the registry's file holds the private key and, after it, the public one.
 */
public record DeltaLogSignatures(PublicKey verifyKey, PrivateKey signingKey) {
    /** The record header that carries the signature. */
    public static final String HEADER = "continua-signature";
    /** Records are neither signed nor checked: a cluster whose ACLs are the only guard, or none. */
    public static final DeltaLogSignatures NONE = new DeltaLogSignatures(null, null);

    private static final String ALGORITHM = "Ed25519";
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END \\1-----");

    public DeltaLogSignatures {
        if (signingKey != null && verifyKey == null) {
            throw new IllegalArgumentException("A signing key needs its public key, to check what the log holds");
        }
    }

    public static DeltaLogSignatures verifying(PublicKey verifyKey) {
        return new DeltaLogSignatures(verifyKey, null);
    }

    /** Signs what this instance writes and checks what it reads; refuses a key pair whose halves do not match. */
    public static DeltaLogSignatures signing(KeyPair keys) {
        DeltaLogSignatures signatures = new DeltaLogSignatures(keys.getPublic(), keys.getPrivate());
        byte[] probe = "probe".getBytes(StandardCharsets.UTF_8);
        if (!signatures.verifies("probe", "probe", probe, signatures.sign("probe", "probe", probe))) {
            throw new IllegalArgumentException("The deltas signing key's private and public halves do not match");
        }
        return signatures;
    }

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("This JVM has no " + ALGORITHM, e);
        }
    }

    public boolean verifies() {
        return verifyKey != null;
    }

    public boolean signs() {
        return signingKey != null;
    }

    /** The signature of a record about to be written. */
    public byte[] sign(String topic, String key, byte[] value) {
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initSign(signingKey);
            signature.update(signedBytes(topic, key, value));
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot sign a deltas record", e);
        }
    }

    /** Adds the signature header to a record about to be written (nothing when this instance does not sign). */
    public void sign(String topic, String key, byte[] value, Headers headers) {
        if (signs()) {
            headers.add(HEADER, sign(topic, key, value));
        }
    }

    /**
     * Why a record read from the log is not to be trusted, or empty when it verifies (or when this
     * instance does not check).
     */
    public Optional<String> distrust(String topic, String key, byte[] value, Headers headers) {
        if (!verifies()) {
            return Optional.empty();
        }
        Header header = headers.lastHeader(HEADER);
        if (header == null || header.value() == null) {
            return Optional.of("unsigned");
        }
        return verifies(topic, key, value, header.value()) ? Optional.empty() : Optional.of("bad signature");
    }

    boolean verifies(String topic, String key, byte[] value, byte[] signatureBytes) {
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initVerify(verifyKey);
            signature.update(signedBytes(topic, key, value));
            return signature.verify(signatureBytes);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** Length-prefixed topic, key and value: no two different records sign the same bytes. */
    private static byte[] signedBytes(String topic, String key, byte[] value) {
        byte[] topicBytes = topic.getBytes(StandardCharsets.UTF_8);
        byte[] keyBytes = key == null ? new byte[0] : key.getBytes(StandardCharsets.UTF_8);
        byte[] valueBytes = value == null ? new byte[0] : value;
        return ByteBuffer.allocate(12 + topicBytes.length + keyBytes.length + valueBytes.length)
                .putInt(topicBytes.length).put(topicBytes)
                .putInt(key == null ? -1 : keyBytes.length).put(keyBytes)
                .putInt(value == null ? -1 : valueBytes.length).put(valueBytes)
                .array();
    }

    /** Writes the registry's key file (private then public key, readable by its owner only) and the readers' public key file. */
    public static void writeKeyFiles(KeyPair keys, Path signingKeyFile, Path verifyKeyFile) {
        String publicPem = pem("PUBLIC KEY", keys.getPublic().getEncoded());
        SecretFiles.write(signingKeyFile, pem("PRIVATE KEY", keys.getPrivate().getEncoded()) + publicPem);
        try {
            Files.writeString(verifyKeyFile, publicPem);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the deltas verify key " + verifyKeyFile, e);
        }
    }

    /** The key pair in the registry's key file. */
    public static KeyPair readKeyPair(Path file) {
        String text = read(file);
        try {
            KeyFactory factory = KeyFactory.getInstance(ALGORITHM);
            PrivateKey privateKey = factory.generatePrivate(new PKCS8EncodedKeySpec(block(text, "PRIVATE KEY", file)));
            PublicKey publicKey = factory.generatePublic(new X509EncodedKeySpec(block(text, "PUBLIC KEY", file)));
            return new KeyPair(publicKey, privateKey);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + " does not hold an Ed25519 key pair: " + e.getMessage(), e);
        }
    }

    /** The public key in a readers' key file. */
    public static PublicKey readPublicKey(Path file) {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(block(read(file),
                    "PUBLIC KEY", file)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + " does not hold an Ed25519 public key: " + e.getMessage(), e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the deltas key file " + file, e);
        }
    }

    private static byte[] block(String text, String type, Path file) {
        Matcher matcher = PEM.matcher(text);
        while (matcher.find()) {
            if (matcher.group(1).equals(type)) {
                return Base64.getMimeDecoder().decode(matcher.group(2));
            }
        }
        throw new IllegalArgumentException(file + " has no PEM block '" + type + "'");
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** Never prints key material. */
    @Override
    public String toString() {
        return signs() ? "signing and verifying" : verifies() ? "verifying" : "unsigned";
    }
}
