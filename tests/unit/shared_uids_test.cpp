// SharedUids: a session's view shares the cached list until it changes.
#include "storage/shared_uids.hpp"

#include <gtest/gtest.h>
#include "tests/support/uid_list.hpp"

namespace postimap::storage {
namespace {

using test::uid_list;

TEST(SharedUids, AViewChangesWithoutTouchingTheCachedList) {
    auto cached = std::make_shared<const std::vector<Uid>>(uid_list({1, 2, 3}));
    SharedUids view(cached);
    EXPECT_EQ(&view.list(), cached.get());  // no copy while unchanged
    view.push_back(Uid{4});
    view.erase(view.begin());
    EXPECT_EQ(view, uid_list({2, 3, 4}));
    EXPECT_EQ(*cached, uid_list({1, 2, 3}));
    const auto* own = &view.list();
    view.push_back(Uid{5});  // its own now: changed in place
    EXPECT_EQ(&view.list(), own);
    EXPECT_EQ(view, uid_list({2, 3, 4, 5}));
}

TEST(SharedUids, CopiesAreIndependentOnceEitherChanges) {
    SharedUids a(uid_list({1, 2}));
    SharedUids b = a;
    b.push_back(Uid{3});
    a.erase(a.begin() + 1);
    EXPECT_EQ(a, uid_list({1}));
    EXPECT_EQ(b, uid_list({1, 2, 3}));
    SharedUids c = b;
    c.erase(c.begin());
    EXPECT_EQ(b, uid_list({1, 2, 3}));
    EXPECT_EQ(c, uid_list({2, 3}));
}

TEST(SharedUids, EmptyByDefault) {
    SharedUids none;
    EXPECT_TRUE(none.empty());
    EXPECT_EQ(none.size(), 0u);
    EXPECT_EQ(none.begin(), none.end());
    none.push_back(Uid{7});
    EXPECT_EQ(none.back(), Uid{7});
    EXPECT_EQ(none.at(0), Uid{7});
    EXPECT_THROW(none.at(1), std::out_of_range);
}

}  // namespace
}  // namespace postimap::storage
