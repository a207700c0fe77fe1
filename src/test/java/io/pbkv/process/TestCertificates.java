package io.pbkv.process;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throw-away certificate authority and node certificates for TLS tests, made with the JDK's own {@code keytool}
 * (so nothing needs installing): a CA, and per node a PKCS#12 key store holding its key and a certificate the CA
 * signed for {@code 127.0.0.1} and {@code localhost}, for server and client use; and a trust store holding the CA.
 */
final class TestCertificates {

	static final String PASSWORD = "changeit";

	private final Path dir;

	private final String caAlias;

	TestCertificates(Path dir, String caName) throws Exception {
		this.dir = dir;
		this.caAlias = caName;
		Files.createDirectories(dir);
		keytool("-genkeypair", "-alias", caAlias, "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
				"CN=" + caName, "-ext", "bc:c", "-validity", "2", "-keystore", ca().toString(), "-storetype", "PKCS12",
				"-storepass", PASSWORD);
		keytool("-exportcert", "-alias", caAlias, "-keystore", ca().toString(), "-storepass", PASSWORD, "-rfc", "-file",
				caPem().toString());
		keytool("-importcert", "-alias", caAlias, "-file", caPem().toString(), "-keystore", trustStore().toString(),
				"-storetype", "PKCS12", "-storepass", PASSWORD, "-noprompt");
	}

	private Path ca() {
		return dir.resolve(caAlias + ".p12");
	}

	Path caPem() {
		return dir.resolve(caAlias + ".pem");
	}

	/** The PKCS#12 trust store holding the CA. */
	Path trustStore() {
		return dir.resolve(caAlias + "-trust.p12");
	}

	/** A key store for {@code node}: its key and the CA-signed certificate chain. */
	Path keyStore(String node) throws Exception {
		Path store = dir.resolve(node + ".p12");
		if (Files.exists(store)) {
			return store;
		}
		Path csr = dir.resolve(node + ".csr");
		Path crt = dir.resolve(node + ".crt");
		keytool("-genkeypair", "-alias", "node", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + node,
				"-validity", "2", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
		keytool("-certreq", "-alias", "node", "-keystore", store.toString(), "-storepass", PASSWORD, "-file",
				csr.toString());
		keytool("-gencert", "-alias", caAlias, "-keystore", ca().toString(), "-storepass", PASSWORD, "-infile",
				csr.toString(), "-outfile", crt.toString(), "-rfc", "-validity", "2", "-ext",
				"san=ip:127.0.0.1,dns:localhost", "-ext", "eku=serverAuth,clientAuth");
		keytool("-importcert", "-alias", caAlias, "-file", caPem().toString(), "-keystore", store.toString(),
				"-storepass", PASSWORD, "-noprompt");
		keytool("-importcert", "-alias", "node", "-file", crt.toString(), "-keystore", store.toString(), "-storepass",
				PASSWORD, "-noprompt");
		return store;
	}

	/**
	 * The properties that make {@code node} serve TLS and use it towards its peers: SSL bundle {@code node} with
	 * its key store and this CA's trust store, for the server ({@code server.ssl.bundle}) and for its requests to
	 * other nodes ({@code kv.cluster.ssl-bundle}).
	 */
	List<String> nodeArgs(String node) throws Exception {
		return nodeArgs(keyStore(node), trustStore());
	}

	/** The same with another key store and trust store, such as a node of another CA's. */
	static List<String> nodeArgs(Path keyStore, Path trustStore) {
		List<String> args = new ArrayList<>();
		args.add("--spring.ssl.bundle.jks.node.keystore.location=file:" + keyStore);
		args.add("--spring.ssl.bundle.jks.node.keystore.password=" + PASSWORD);
		args.add("--spring.ssl.bundle.jks.node.keystore.type=PKCS12");
		args.add("--spring.ssl.bundle.jks.node.truststore.location=file:" + trustStore);
		args.add("--spring.ssl.bundle.jks.node.truststore.password=" + PASSWORD);
		args.add("--spring.ssl.bundle.jks.node.truststore.type=PKCS12");
		args.add("--server.ssl.bundle=node");
		args.add("--kv.cluster.ssl-bundle=node");
		args.add("--server.ssl.client-auth=want");
		return args;
	}

	/** A trust store at {@code file} holding this CA and, if given, {@code other}'s too. */
	Path trustStoreWith(Path file, TestCertificates other) throws Exception {
		Files.deleteIfExists(file);
		keytool("-importcert", "-alias", caAlias, "-file", caPem().toString(), "-keystore", file.toString(),
				"-storetype", "PKCS12", "-storepass", PASSWORD, "-noprompt");
		if (other != null) {
			keytool("-importcert", "-alias", other.caAlias, "-file", other.caPem().toString(), "-keystore",
					file.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD, "-noprompt");
		}
		return file;
	}

	/**
	 * The base64 SHA-256 of {@code node}'s public key (its SubjectPublicKeyInfo), as Chromium's
	 * {@code --ignore-certificate-errors-spki-list} takes it: a browser test trusts exactly these keys.
	 */
	String publicKeyPin(String node) throws Exception {
		KeyStore store = KeyStore.getInstance("PKCS12");
		try (InputStream in = Files.newInputStream(keyStore(node))) {
			store.load(in, PASSWORD.toCharArray());
		}
		byte[] spki = store.getCertificate("node").getPublicKey().getEncoded();
		return java.util.Base64.getEncoder()
			.encodeToString(java.security.MessageDigest.getInstance("SHA-256").digest(spki));
	}

	/** A client context that trusts this CA, for the test's own requests. */
	SSLContext clientContext() throws Exception {
		return trusting(caPem());
	}

	/** A client context that trusts the CA certificate in a PEM file, such as one openssl made. */
	static SSLContext trusting(Path caPem) throws Exception {
		KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
		trust.load(null, null);
		try (InputStream in = Files.newInputStream(caPem)) {
			trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
		}
		TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
		factory.init(trust);
		SSLContext context = SSLContext.getInstance("TLS");
		context.init(null, factory.getTrustManagers(), null);
		return context;
	}

	private static void keytool(String... args) throws IOException, InterruptedException {
		Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
		List<String> command = new ArrayList<>();
		command.add(java.resolveSibling("keytool").toString());
		command.addAll(List.of(args));
		Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(p.getInputStream().readAllBytes());
		if (p.waitFor() != 0) {
			throw new IOException("keytool " + String.join(" ", args) + " failed: " + output);
		}
	}

}
