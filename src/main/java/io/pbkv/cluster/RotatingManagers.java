package io.pbkv.cluster;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

import org.springframework.boot.ssl.SslBundle;

/**
 * The key and trust managers of an SSL bundle behind a fixed {@link SSLContext}, swapped when the bundle is reloaded
 * ({@code reload-on-update}): the HTTP clients built once at start present the new certificate and trust the new
 * authorities on their next connection, with no restart. Connections already open keep what they negotiated.
 */
final class RotatingManagers {

	private volatile X509ExtendedKeyManager keys;

	private volatile X509ExtendedTrustManager trust;

	private final SSLContext context;

	RotatingManagers(SslBundle bundle) throws GeneralSecurityException {
		update(bundle);
		context = SSLContext.getInstance(bundle.getProtocol() != null ? bundle.getProtocol() : "TLS");
		context.init(new KeyManager[] { new Keys() }, new TrustManager[] { new Trust() }, null);
	}

	/** Takes the reloaded bundle's managers; an unusable one is refused and the old ones stay. */
	void update(SslBundle bundle) {
		X509ExtendedKeyManager newKeys = null;
		for (KeyManager m : bundle.getManagers().getKeyManagers()) {
			if (m instanceof X509ExtendedKeyManager k) {
				newKeys = k;
			}
		}
		X509ExtendedTrustManager newTrust = null;
		for (TrustManager m : bundle.getManagers().getTrustManagers()) {
			if (m instanceof X509ExtendedTrustManager t) {
				newTrust = t;
			}
		}
		if (newTrust == null) {
			throw new IllegalStateException("the SSL bundle has no X.509 trust material: give it the nodes' CA");
		}
		keys = newKeys;
		trust = newTrust;
	}

	SSLContext context() {
		return context;
	}

	/** The current trust manager, for the check of peers' client certificates. */
	X509ExtendedTrustManager trust() {
		return trust;
	}

	private final class Keys extends X509ExtendedKeyManager {

		private X509ExtendedKeyManager current() {
			return keys;
		}

		@Override
		public String[] getClientAliases(String keyType, Principal[] issuers) {
			return current() == null ? null : current().getClientAliases(keyType, issuers);
		}

		@Override
		public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
			return current() == null ? null : current().chooseClientAlias(keyType, issuers, socket);
		}

		@Override
		public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
			return current() == null ? null : current().chooseEngineClientAlias(keyType, issuers, engine);
		}

		@Override
		public String[] getServerAliases(String keyType, Principal[] issuers) {
			return current() == null ? null : current().getServerAliases(keyType, issuers);
		}

		@Override
		public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
			return current() == null ? null : current().chooseServerAlias(keyType, issuers, socket);
		}

		@Override
		public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
			return current() == null ? null : current().chooseEngineServerAlias(keyType, issuers, engine);
		}

		@Override
		public X509Certificate[] getCertificateChain(String alias) {
			return current() == null ? null : current().getCertificateChain(alias);
		}

		@Override
		public PrivateKey getPrivateKey(String alias) {
			return current() == null ? null : current().getPrivateKey(alias);
		}

	}

	private final class Trust extends X509ExtendedTrustManager {

		@Override
		public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
				throws CertificateException {
			trust.checkClientTrusted(chain, authType, socket);
		}

		@Override
		public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
				throws CertificateException {
			trust.checkServerTrusted(chain, authType, socket);
		}

		@Override
		public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
				throws CertificateException {
			trust.checkClientTrusted(chain, authType, engine);
		}

		@Override
		public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
				throws CertificateException {
			trust.checkServerTrusted(chain, authType, engine);
		}

		@Override
		public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
			trust.checkClientTrusted(chain, authType);
		}

		@Override
		public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
			trust.checkServerTrusted(chain, authType);
		}

		@Override
		public X509Certificate[] getAcceptedIssuers() {
			return trust.getAcceptedIssuers();
		}

	}

}
