// ApplyDelta on deltas written by hand: what git's patch-delta.c makes of the good ones, and a
// refusal, with nothing made, for each way a hostile delta can be malformed.
#include "core/git/delta_apply.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace home {
namespace {

using Bytes = std::vector<unsigned char>;

void Varint(Bytes* out, uint64_t v) {
  do {
    unsigned char c = v & 0x7f;
    v >>= 7;
    if (v != 0) c |= 0x80;
    out->push_back(c);
  } while (v != 0);
}

Bytes Header(uint64_t base_size, uint64_t result_size) {
  Bytes d;
  Varint(&d, base_size);
  Varint(&d, result_size);
  return d;
}

// A copy instruction with every operand byte present (git omits zero bytes; both are valid).
void Copy(Bytes* d, uint32_t offset, uint32_t size) {
  d->push_back(0xff);
  for (int i = 0; i < 4; ++i) d->push_back(static_cast<unsigned char>(offset >> (8 * i)));
  for (int i = 0; i < 3; ++i) d->push_back(static_cast<unsigned char>(size >> (8 * i)));
}

void Insert(Bytes* d, const std::string& text) {
  d->push_back(static_cast<unsigned char>(text.size()));
  d->insert(d->end(), text.begin(), text.end());
}

const std::string kBase = "the quick brown fox jumps over the lazy dog";

bool Apply(const Bytes& delta, std::string* result, uint64_t max = 1 << 20, const std::string& base = kBase) {
  Bytes out = {1, 2, 3};
  const bool ok = ApplyDelta(reinterpret_cast<const unsigned char*>(base.data()), base.size(), delta.data(), delta.size(),
                             max, &out);
  if (!ok) {
    EXPECT_TRUE(out.empty()) << "a refused delta makes nothing";
  }
  result->assign(out.begin(), out.end());
  return ok;
}

TEST(DeltaApply, CopiesAndInserts) {
  Bytes d = Header(kBase.size(), 23);
  Copy(&d, 4, 5);                  // "quick"
  Insert(&d, " red ");             // " red "
  Copy(&d, 16, 3);                 // "fox"
  d.insert(d.end(), {0x91, 30, 9});  // offset byte 0 and size byte 0 only: " the lazy"
  d.push_back(1);
  d.push_back('!');
  std::string out;
  ASSERT_TRUE(Apply(d, &out));
  EXPECT_EQ(out, "quick red fox the lazy!");
  uint64_t base_size = 0, result_size = 0;
  size_t header = 0;
  ASSERT_TRUE(ReadDeltaSizes(d.data(), d.size(), &base_size, &result_size, &header));
  EXPECT_EQ(base_size, kBase.size());
  EXPECT_EQ(result_size, 23u);
  EXPECT_EQ(header, 2u);
}

TEST(DeltaApply, ACopyOfSizeZeroIs64KiB) {
  const std::string base(0x10000 + 7, 'x');
  Bytes d = Header(base.size(), 0x10000);
  d.push_back(0x80 | 0x01);  // offset byte only, no size bytes
  d.push_back(7);
  std::string out;
  ASSERT_TRUE(Apply(d, &out, 1 << 20, base));
  EXPECT_EQ(out, std::string(0x10000, 'x'));
}

TEST(DeltaApply, AnEmptyResult) {
  std::string out = "?";
  EXPECT_TRUE(Apply(Header(kBase.size(), 0), &out));
  EXPECT_EQ(out, "");
}

TEST(DeltaApply, RefusesEveryMalformedDelta) {
  const uint64_t n = kBase.size();
  struct Case {
    const char* what;
    Bytes delta;
  };
  std::vector<Case> cases;
  cases.push_back({"no header", {}});
  cases.push_back({"a cut header", {0x80 | 3}});
  cases.push_back({"one size only", Bytes{static_cast<unsigned char>(n)}});
  Bytes overlong(11, 0xff);
  cases.push_back({"a size over 64 bits", overlong});
  {
    Bytes d = Header(n + 1, 3);
    Copy(&d, 0, 3);
    cases.push_back({"for a base of another size", d});
  }
  {
    Bytes d = Header(n, 3);
    Copy(&d, static_cast<uint32_t>(n - 2), 3);
    cases.push_back({"a copy past the base's end", d});
  }
  {
    Bytes d = Header(n, 3);
    Copy(&d, 0xffffffffu, 3);
    cases.push_back({"a copy from an offset far past the base", d});
  }
  {
    Bytes d = Header(n, 3);
    Copy(&d, 0, 4);
    cases.push_back({"a copy past the announced result", d});
  }
  {
    Bytes d = Header(n, 5);
    d.push_back(5);
    d.insert(d.end(), {'a', 'b'});
    cases.push_back({"an insert past the delta's end", d});
  }
  {
    Bytes d = Header(n, 2);
    Insert(&d, "abc");
    cases.push_back({"an insert past the announced result", d});
  }
  {
    Bytes d = Header(n, 3);
    Copy(&d, 0, 3);
    d.push_back(0);
    cases.push_back({"the reserved opcode 0, even after a whole result", d});
  }
  {
    Bytes d = Header(n, 3);
    Copy(&d, 0, 3);
    d.push_back(0x80 | 0x01);
    cases.push_back({"a copy cut off before its operand, after a whole result", d});
  }
  {
    Bytes d = Header(n, 10);
    Copy(&d, 0, 3);
    cases.push_back({"a result shorter than announced", d});
  }
  for (const Case& c : cases) {
    std::string out;
    EXPECT_FALSE(Apply(c.delta, &out)) << c.what;
  }
}

TEST(DeltaApply, RefusesAResultOverTheLimitBeforeMakingIt) {
  Bytes d = Header(kBase.size(), 1000);
  std::string out;
  EXPECT_FALSE(Apply(d, &out, 999));
  // Announcing 2^60 bytes makes nothing either.
  EXPECT_FALSE(Apply(Header(kBase.size(), uint64_t{1} << 60), &out));
}

}  // namespace
}  // namespace home
