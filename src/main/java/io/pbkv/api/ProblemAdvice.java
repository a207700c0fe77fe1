package io.pbkv.api;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every error leaves as {@code application/problem+json}: ours, Spring MVC's (404 unknown path, 405, 406, 415,
 * ...), and anything unexpected, which is a 500 that names no internals and leaves the node running.
 */
@RestControllerAdvice
class ProblemAdvice extends ResponseEntityExceptionHandler {

	private static final Logger log = LoggerFactory.getLogger(ProblemAdvice.class);

	@ExceptionHandler(ApiException.class)
	ResponseEntity<Object> api(ApiException ex) {
		return Problems.response(ex.status(), ex.problem(), ex.getMessage());
	}

	@ExceptionHandler(Exception.class)
	ResponseEntity<Object> unexpected(Exception ex) {
		log.error("unexpected error while serving a request", ex);
		return Problems.response(HttpStatus.INTERNAL_SERVER_ERROR, "internal-error",
				"the node failed to handle this request: " + ex.getClass().getSimpleName());
	}

	/** Spring's own problems keep their detail but always go out as problem+json, whatever was accepted. */
	@Override
	protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
			HttpStatusCode statusCode, WebRequest request) {
		ResponseEntity<Object> response = super.handleExceptionInternal(ex, body, headers, statusCode, request);
		if (response == null || !(response.getBody() instanceof ProblemDetail)) {
			return response;
		}
		HttpHeaders out = new HttpHeaders();
		out.putAll(response.getHeaders());
		out.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
		return new ResponseEntity<>(response.getBody(), out, response.getStatusCode());
	}

}
