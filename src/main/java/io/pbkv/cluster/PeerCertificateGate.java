package io.pbkv.cluster;

import io.pbkv.api.Problems;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.function.Supplier;

import javax.net.ssl.X509TrustManager;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Mutual TLS on the peer API ({@code /internal/*}) when {@code kv.cluster.ssl-bundle} is set: a peer request must come
 * with a client certificate that the bundle's trust material verifies, whatever token it carries; otherwise
 * {@code 403} ({@code peer-certificate-missing}, {@code peer-certificate-untrusted}), counted in
 * {@code kv.peer.rejected} and logged (once a minute per reason, so a flood cannot flood the log). Clients of the
 * client API need no certificate ({@code server.ssl.client-auth=want} asks for one without requiring it).
 */
final class PeerCertificateGate extends OncePerRequestFilter {

	private static final Logger log = LoggerFactory.getLogger(PeerCertificateGate.class);

	private static final String CHAIN = "jakarta.servlet.request.X509Certificate";

	/** The cluster bundle's trust, as of its last reload. */
	private final Supplier<? extends X509TrustManager> trust;

	private final PeerRejections rejections;

	private volatile long lastLogged;

	PeerCertificateGate(Supplier<? extends X509TrustManager> trust, PeerRejections rejections) {
		this.trust = trust;
		this.rejections = rejections;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String refusal = refusal(request.getAttribute(CHAIN));
		if (refusal == null) {
			chain.doFilter(request, response);
			return;
		}
		String problem = refusal.startsWith("no ") ? "peer-certificate-missing" : "peer-certificate-untrusted";
		rejections.count(problem);
		long now = System.currentTimeMillis();
		if (now - lastLogged > 60_000) {
			lastLogged = now;
			log.warn("refused a peer request from {}: {} (further refusals this minute are only counted in "
					+ "kv.peer.rejected)", request.getRemoteAddr(), refusal);
		}
		Problems.write(response, HttpStatus.FORBIDDEN, problem, refusal);
	}

	private String refusal(Object chain) {
		if (!(chain instanceof X509Certificate[] certificates) || certificates.length == 0) {
			return "no client certificate: peers must present one that kv.cluster.ssl-bundle trusts "
					+ "(server.ssl.client-auth=want asks for it)";
		}
		try {
			trust.get().checkClientTrusted(certificates, certificates[0].getPublicKey().getAlgorithm());
			return null;
		}
		catch (CertificateException | IllegalArgumentException ex) {
			return "the client certificate " + certificates[0].getSubjectX500Principal().getName()
					+ " is not trusted by kv.cluster.ssl-bundle: " + ex.getMessage();
		}
	}

}
