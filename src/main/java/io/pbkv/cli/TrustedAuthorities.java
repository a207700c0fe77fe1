package io.pbkv.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The certificate authorities a client trusts for HTTPS nodes, read from a PEM file ({@code --cacert}, as curl
 * names it): those alone, instead of the JVM's default trust store, so that a private CA needs no key store.
 */
final class TrustedAuthorities {

	static final String ENV = "PBKV_CACERT";

	private TrustedAuthorities() {
	}

	/** A TLS context that trusts the certificates in the PEM file, and host names checked as always. */
	static SSLContext fromPem(Path file) throws UsageException {
		Collection<? extends Certificate> certificates;
		try (InputStream in = Files.newInputStream(file)) {
			certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
		}
		catch (IOException ex) {
			throw new UsageException("--cacert: cannot read " + file + " (" + ex.getMessage() + ")");
		}
		catch (GeneralSecurityException ex) {
			throw new UsageException("--cacert: " + file + " holds no PEM certificate (" + ex.getMessage() + ")");
		}
		if (certificates.isEmpty()) {
			throw new UsageException("--cacert: " + file + " holds no PEM certificate");
		}
		try {
			KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
			store.load(null, null);
			int i = 0;
			for (Certificate certificate : certificates) {
				store.setCertificateEntry("ca-" + i++, certificate);
			}
			TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			trust.init(store);
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(null, trust.getTrustManagers(), null);
			return context;
		}
		catch (GeneralSecurityException | IOException ex) {
			throw new IllegalStateException("cannot build a TLS context from " + file, ex);
		}
	}

}
