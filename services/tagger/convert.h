#pragma once
// Conversions between the wire messages and the tagging library's types, at the edge.
#include "libs/tagging/watchlist.h"
#include "ww/v1/records.pb.h"

namespace ww::services {

inline tagging::Entity FromProto(const ww::v1::Entity& e) {
  tagging::Entity out;
  out.id = e.id();
  out.name = e.name();
  switch (e.kind()) {
    case ww::v1::ENTITY_KIND_PERSON: out.kind = tagging::EntityKind::kPerson; break;
    case ww::v1::ENTITY_KIND_PLACE: out.kind = tagging::EntityKind::kPlace; break;
    case ww::v1::ENTITY_KIND_ORGANISATION: out.kind = tagging::EntityKind::kOrganisation; break;
    default: out.kind = tagging::EntityKind::kOther; break;
  }
  out.aliases.assign(e.aliases().begin(), e.aliases().end());
  return out;
}

inline ww::v1::Entity ToProto(const tagging::Entity& e) {
  ww::v1::Entity out;
  out.set_id(e.id);
  out.set_name(e.name);
  switch (e.kind) {
    case tagging::EntityKind::kPerson: out.set_kind(ww::v1::ENTITY_KIND_PERSON); break;
    case tagging::EntityKind::kPlace: out.set_kind(ww::v1::ENTITY_KIND_PLACE); break;
    case tagging::EntityKind::kOrganisation: out.set_kind(ww::v1::ENTITY_KIND_ORGANISATION); break;
    case tagging::EntityKind::kOther: out.set_kind(ww::v1::ENTITY_KIND_OTHER); break;
  }
  for (const auto& a : e.aliases) out.add_aliases(a);
  return out;
}

}  // namespace ww::services
