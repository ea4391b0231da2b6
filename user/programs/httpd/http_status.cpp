#include "http_status.hpp"

namespace mote::httpd {

StringView reason_phrase(u16 code) {
    switch (code) {
    case status::kOk: return "OK";
    case status::kPartialContent: return "Partial Content";
    case status::kMovedPermanently: return "Moved Permanently";
    case status::kNotModified: return "Not Modified";
    case status::kBadRequest: return "Bad Request";
    case status::kForbidden: return "Forbidden";
    case status::kNotFound: return "Not Found";
    case status::kMethodNotAllowed: return "Method Not Allowed";
    case status::kRequestTimeout: return "Request Timeout";
    case status::kLengthRequired: return "Length Required";
    case status::kContentTooLarge: return "Content Too Large";
    case status::kUriTooLong: return "URI Too Long";
    case status::kRangeNotSatisfiable: return "Range Not Satisfiable";
    case status::kHeaderFieldsTooLarge: return "Request Header Fields Too Large";
    case status::kInternalServerError: return "Internal Server Error";
    case status::kNotImplemented: return "Not Implemented";
    case status::kServiceUnavailable: return "Service Unavailable";
    case status::kVersionNotSupported: return "HTTP Version Not Supported";
    default: return "";
    }
}

}  // namespace mote::httpd
