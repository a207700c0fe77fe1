package io.pbkv.api;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Errors that never reached a controller (Tomcat refused the request, a filter failed) are forwarded here by
 * the servlet container; they too leave as problem+json.
 */
@RestController
class ProblemErrorController implements ErrorController {

	@RequestMapping("${server.error.path:/error}")
	ResponseEntity<Object> error(HttpServletRequest request) {
		Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
		HttpStatus status = code instanceof Integer c && HttpStatus.resolve(c) != null ? HttpStatus.valueOf(c)
				: HttpStatus.INTERNAL_SERVER_ERROR;
		Object message = request.getAttribute(RequestDispatcher.ERROR_MESSAGE);
		String detail = message instanceof String m && !m.isBlank() ? m : status.getReasonPhrase();
		return Problems.response(status, status.is4xxClientError() ? "bad-request" : "internal-error", detail);
	}

}
