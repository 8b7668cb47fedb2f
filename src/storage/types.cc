#include "storage/types.h"

namespace aura::storage {

const char* OutcomeName(Outcome outcome) noexcept {
  switch (outcome) {
    case Outcome::kAccepted:
      return "accepted";
    case Outcome::kCountered:
      return "countered";
    case Outcome::kRejected:
      return "rejected";
    case Outcome::kUiRequired:
      return "ui_required";
  }
  return "rejected";
}

bool ParseOutcome(const std::string& name, Outcome& out) noexcept {
  for (Outcome o :
       {Outcome::kAccepted, Outcome::kCountered, Outcome::kRejected, Outcome::kUiRequired}) {
    if (name == OutcomeName(o)) {
      out = o;
      return true;
    }
  }
  return false;
}

}  // namespace aura::storage
