package bip

import (
	"container/list"
	"context"
	"fmt"
	"sync"
)

// Comparison is the word diff of two versions of a publication.
type Comparison struct {
	Title []DiffOp
	Body  []DiffOp
}

// Compare returns the diff of two versions. Versions never change, so the
// diff of a pair is computed once and kept (up to diffCacheBytes of text):
// a visitor reloading the page, or many asking for the same pair at once,
// costs one diff, and a cached pair is not read from the database again.
func (s *Service) Compare(ctx context.Context, id int64, from, to int) (*Comparison, error) {
	k := diffKey{id, from, to}
	if c, ok := s.diffs.get(k); ok {
		return &Comparison{Title: c.title, Body: c.body}, nil
	}
	v, err, _ := s.diffing.Do(fmt.Sprintf("%d:%d:%d", id, from, to), func() (any, error) {
		a, err := s.FindVersion(ctx, id, from)
		if err != nil {
			return nil, err
		}
		b, err := s.FindVersion(ctx, id, to)
		if err != nil {
			return nil, err
		}
		c := diffEntry{title: Diff(a.Title, b.Title), body: Diff(a.Body, b.Body)}
		s.diffs.put(k, c)
		return c, nil
	})
	if err != nil {
		return nil, err
	}
	c := v.(diffEntry)
	return &Comparison{Title: c.title, Body: c.body}, nil
}

const diffCacheBytes = 32 << 20

type diffKey struct {
	pub      int64
	from, to int
}

type diffEntry struct {
	title, body []DiffOp
}

func (e diffEntry) size() int {
	n := 0
	for _, ops := range [][]DiffOp{e.title, e.body} {
		for _, op := range ops {
			n += len(op.Text) + 32
		}
	}
	return n
}

// diffCache is a least-recently-used cache bounded by the text it holds.
type diffCache struct {
	mu    sync.Mutex
	bytes int
	order *list.List // of *diffItem, most recent first
	items map[diffKey]*list.Element
}

type diffItem struct {
	key   diffKey
	entry diffEntry
}

func newDiffCache() *diffCache {
	return &diffCache{order: list.New(), items: map[diffKey]*list.Element{}}
}

func (c *diffCache) get(k diffKey) (diffEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[k]
	if !ok {
		return diffEntry{}, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*diffItem).entry, true
}

func (c *diffCache) put(k diffKey, e diffEntry) {
	size := e.size()
	if size > diffCacheBytes/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[k]; ok {
		return
	}
	c.items[k] = c.order.PushFront(&diffItem{k, e})
	c.bytes += size
	for c.bytes > diffCacheBytes {
		last := c.order.Back()
		it := last.Value.(*diffItem)
		c.order.Remove(last)
		delete(c.items, it.key)
		c.bytes -= it.entry.size()
	}
}
