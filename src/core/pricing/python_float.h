// File: core/pricing/python_float.h
//
// FormatPythonFloat: a double written the way Python's repr / f-string writes a
// float, because the messages clients compare against were produced by Python:
// shortest round-trip digits, a trailing ".0" for integral values, exponent
// form below 1e-4 and from 1e16.
//
//   FormatPythonFloat(1200.0)  == "1200.0"
//   FormatPythonFloat(1500.5)  == "1500.5"
//   FormatPythonFloat(1e16)    == "1e+16"
//   FormatPythonFloat(0.00001) == "1e-05"
//
// Pure function; thread-safe.
#pragma once

#include <string>

namespace aura::core {

std::string FormatPythonFloat(double value);

}  // namespace aura::core
