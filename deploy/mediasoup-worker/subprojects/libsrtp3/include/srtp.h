/*
 * The part of the libsrtp 3 API that mediasoup 3.19 uses, implemented on Debian's libsrtp2 2.5:
 * libsrtp 3 protects from an input buffer into an output buffer with explicit lengths, libsrtp2
 * works in place with an int length. C++ overloads keep mediasoup's call sites unchanged.
 */
#pragma once
#include <srtp2/srtp.h>
#include <cstddef>
#include <cstdint>
#include <cstring>

static const srtp_err_status_t srtp_err_status_buffer_small = static_cast<srtp_err_status_t>(28);
static const srtp_err_status_t srtp_err_status_cryptex_err = static_cast<srtp_err_status_t>(29);

namespace mind_srtp_shim
{
	template<typename Fn>
	inline srtp_err_status_t inPlace(Fn fn, const uint8_t* in, size_t inLen, uint8_t* out, size_t* outLen)
	{
		if (out != in)
			std::memmove(out, in, inLen);
		int len = static_cast<int>(inLen);
		const srtp_err_status_t err = fn(out, &len);
		*outLen = static_cast<size_t>(len);
		return err;
	}
} // namespace mind_srtp_shim

static inline srtp_err_status_t srtp_protect(
  srtp_t ctx, const uint8_t* in, size_t inLen, uint8_t* out, size_t* outLen, size_t /*mkiIndex*/)
{
	if (inLen + SRTP_MAX_TRAILER_LEN > *outLen)
		return srtp_err_status_buffer_small;
	return mind_srtp_shim::inPlace(
	  [ctx](uint8_t* b, int* l) { return ::srtp_protect(ctx, b, l); }, in, inLen, out, outLen);
}

static inline srtp_err_status_t srtp_protect_rtcp(
  srtp_t ctx, const uint8_t* in, size_t inLen, uint8_t* out, size_t* outLen, size_t /*mkiIndex*/)
{
	if (inLen + SRTP_MAX_TRAILER_LEN + 4 > *outLen)
		return srtp_err_status_buffer_small;
	return mind_srtp_shim::inPlace(
	  [ctx](uint8_t* b, int* l) { return ::srtp_protect_rtcp(ctx, b, l); }, in, inLen, out, outLen);
}

static inline srtp_err_status_t srtp_unprotect(
  srtp_t ctx, const uint8_t* in, size_t inLen, uint8_t* out, size_t* outLen)
{
	return mind_srtp_shim::inPlace(
	  [ctx](uint8_t* b, int* l) { return ::srtp_unprotect(ctx, b, l); }, in, inLen, out, outLen);
}

static inline srtp_err_status_t srtp_unprotect_rtcp(
  srtp_t ctx, const uint8_t* in, size_t inLen, uint8_t* out, size_t* outLen)
{
	return mind_srtp_shim::inPlace(
	  [ctx](uint8_t* b, int* l) { return ::srtp_unprotect_rtcp(ctx, b, l); }, in, inLen, out, outLen);
}

static inline srtp_err_status_t srtp_stream_remove(srtp_t session, uint32_t ssrc)
{
	return srtp_remove_stream(session, ssrc);
}
