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
    case ww::v1::ENTITY_KIND_PERSON:
      out.kind = tagging::EntityKind::kPerson;
      break;
    case ww::v1::ENTITY_KIND_PLACE:
      out.kind = tagging::EntityKind::kPlace;
      break;
    case ww::v1::ENTITY_KIND_ORGANISATION:
      out.kind = tagging::EntityKind::kOrganisation;
      break;
    default:
      out.kind = tagging::EntityKind::kOther;
      break;
  }
  out.aliases.assign(e.aliases().begin(), e.aliases().end());
  for (const auto& o : e.alias_options()) {
    tagging::AliasOptions& a = out.alias_options.emplace_back();
    a.case_sensitive = o.case_sensitive();
    a.ignore_case = o.ignore_case();
    switch (o.ambiguous()) {
      case ww::v1::Entity::AliasOptions::AMBIGUITY_YES:
        a.ambiguous = tagging::Ambiguity::kYes;
        break;
      case ww::v1::Entity::AliasOptions::AMBIGUITY_NO:
        a.ambiguous = tagging::Ambiguity::kNo;
        break;
      default:
        a.ambiguous = tagging::Ambiguity::kAuto;
        break;
    }
    a.fold_diacritics = !o.keep_diacritics();
    a.whole_phrase = o.whole_phrase();
    a.exclude_near.assign(o.exclude_near().begin(), o.exclude_near().end());
    a.window = o.window() == 0 ? tagging::AliasOptions::kDefaultWindow : o.window();
    a.exclude_preceded_by.assign(o.exclude_preceded_by().begin(), o.exclude_preceded_by().end());
  }
  out.surname_only = e.surname_only();
  out.context.assign(e.context().begin(), e.context().end());
  // An unknown value is kept as none here; ValidateEntity-level checks happen in the library.
  out.inflections =
      tagging::ParseInflections(e.inflections()).value_or(tagging::Inflections::kNone);
  return out;
}

inline ww::v1::Entity ToProto(const tagging::Entity& e) {
  ww::v1::Entity out;
  out.set_id(e.id);
  out.set_name(e.name);
  switch (e.kind) {
    case tagging::EntityKind::kPerson:
      out.set_kind(ww::v1::ENTITY_KIND_PERSON);
      break;
    case tagging::EntityKind::kPlace:
      out.set_kind(ww::v1::ENTITY_KIND_PLACE);
      break;
    case tagging::EntityKind::kOrganisation:
      out.set_kind(ww::v1::ENTITY_KIND_ORGANISATION);
      break;
    case tagging::EntityKind::kOther:
      out.set_kind(ww::v1::ENTITY_KIND_OTHER);
      break;
  }
  for (const auto& a : e.aliases) out.add_aliases(a);
  for (const auto& a : e.alias_options) {
    auto* o = out.add_alias_options();
    o->set_case_sensitive(a.case_sensitive);
    o->set_ignore_case(a.ignore_case);
    if (a.ambiguous != tagging::Ambiguity::kAuto) {
      o->set_ambiguous(a.ambiguous == tagging::Ambiguity::kYes
                           ? ww::v1::Entity::AliasOptions::AMBIGUITY_YES
                           : ww::v1::Entity::AliasOptions::AMBIGUITY_NO);
    }
    o->set_keep_diacritics(!a.fold_diacritics);
    o->set_whole_phrase(a.whole_phrase);
    for (const auto& p : a.exclude_near) o->add_exclude_near(p);
    o->set_window(a.window);
    for (const auto& p : a.exclude_preceded_by) o->add_exclude_preceded_by(p);
  }
  out.set_surname_only(e.surname_only);
  for (const auto& c : e.context) out.add_context(c);
  if (e.inflections != tagging::Inflections::kNone) {
    out.set_inflections(std::string(tagging::InflectionsName(e.inflections)));
  }
  return out;
}

}  // namespace ww::services
